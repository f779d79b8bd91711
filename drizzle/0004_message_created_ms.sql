-- whatsapp_message.created_at at millisecond precision, like the JavaScript Date the pagination
-- cursor is built from: rows written by one statement share now() to the microsecond, and a
-- cursor that dropped the microseconds skipped the rest of such a group (a booking's confirmation,
-- reminder and follow-up). Existing values are rounded to the millisecond.
ALTER TABLE "whatsapp_message" ALTER COLUMN "created_at" SET DATA TYPE timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "whatsapp_message" ALTER COLUMN "created_at" SET DEFAULT now();