-- Most messages have no appointment: a partial index spares their inserts and non-HOT updates an
-- entry each. Every lookup is `appointment_id = …`, which implies the predicate.
DROP INDEX "whatsapp_message_appointment_idx";--> statement-breakpoint
CREATE INDEX "whatsapp_message_appointment_idx" ON "whatsapp_message" USING btree ("appointment_id") WHERE "whatsapp_message"."appointment_id" is not null;