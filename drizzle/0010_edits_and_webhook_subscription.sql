-- Edits and deletions for everyone made in WhatsApp (MESSAGES_EDITED, MESSAGES_DELETE), and the
-- webhook subscription last set on each instance. Nullable columns without a default: catalogue
-- changes only, no table rewrite.
ALTER TABLE "whatsapp_config" ADD COLUMN "webhook_subscription" text;--> statement-breakpoint
ALTER TABLE "whatsapp_message" ADD COLUMN "edited_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "whatsapp_message" ADD COLUMN "deleted_at" timestamp with time zone;