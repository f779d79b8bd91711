-- The envelope date_time of the close that disconnected the number since its latest link
-- (whatsapp_config.close_date_time): while disconnected, an "open" or QR dated before it was sent
-- before the close and arrives late. Nullable, no default: adding it rewrites nothing.
ALTER TABLE "whatsapp_config" ADD COLUMN "close_date_time" timestamp with time zone;
