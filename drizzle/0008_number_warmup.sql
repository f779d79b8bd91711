ALTER TABLE "whatsapp_config" ADD COLUMN "warmup_phone" text;--> statement-breakpoint
ALTER TABLE "whatsapp_config" ADD COLUMN "warmup_since" timestamp with time zone;--> statement-breakpoint
-- Numbers linked now keep the warm-up they are in: it started when they were linked.
UPDATE "whatsapp_config" SET "warmup_phone" = "phone_number", "warmup_since" = "connected_at" WHERE "connected_at" IS NOT NULL;
