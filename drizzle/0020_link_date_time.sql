-- The envelope date_time of the gateway's latest "open" (whatsapp_config.link_date_time): a close
-- 401 or LOGOUT_INSTANCE dated before it is a retry of an earlier socket's logout, delivered after
-- the number linked. Nullable, no default: adding it rewrites nothing.
ALTER TABLE "whatsapp_config" ADD COLUMN "link_date_time" timestamp with time zone;