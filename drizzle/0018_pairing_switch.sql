-- A connect with a phone number while a plain QR shows logs the instance out and starts over with
-- the number (whatsapp_config.pairing_switch_at, pairing_number): the webhooks of that logout are
-- then told from a phone's. Nullable, no default: adding them rewrites nothing.
ALTER TABLE "whatsapp_config" ADD COLUMN "pairing_number" text;--> statement-breakpoint
ALTER TABLE "whatsapp_config" ADD COLUMN "pairing_switch_at" timestamp with time zone;