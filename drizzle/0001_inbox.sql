ALTER TABLE "whatsapp_client" ADD COLUMN "opt_changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "whatsapp_message" ADD COLUMN "replied_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "whatsapp_client_activity_idx" ON "whatsapp_client" USING btree ("advisor_id",greatest("last_inbound_at", "last_outbound_at") desc,"phone" DESC NULLS LAST);