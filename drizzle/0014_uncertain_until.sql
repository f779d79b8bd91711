-- The end of the wait for the echo of an attempt that got no answer (whatsapp_message.uncertain_until):
-- a cancel is refused until then. Nullable, no default: adding it rewrites nothing.
ALTER TABLE "whatsapp_message" ADD COLUMN "uncertain_until" timestamp with time zone;