-- Lets claims and delivery/read receipts be HOT updates (see the column's comment in the schema).
-- Adding a stored generated column rewrites the table once: on a large table, run it in a quiet hour.
DROP INDEX "whatsapp_message_pending_idx";--> statement-breakpoint
ALTER TABLE "whatsapp_message" ADD COLUMN "unfinished" boolean GENERATED ALWAYS AS (status in ('queued', 'scheduled', 'sending')) STORED;--> statement-breakpoint
CREATE INDEX "whatsapp_message_pending_idx" ON "whatsapp_message" USING btree ("id") WHERE "whatsapp_message"."unfinished";--> statement-breakpoint
-- Room on each page for a row's later versions: a HOT update must fit on the row's own page.
ALTER TABLE "whatsapp_message" SET (fillfactor = 85);
