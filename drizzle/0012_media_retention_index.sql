-- Media retention (media.repository.ts) asks, per upload, whether a message still needs it. Most
-- messages carry no upload: partial, so their inserts and non-HOT updates write no entry here.
CREATE INDEX "whatsapp_message_media_idx" ON "whatsapp_message" USING btree ("media_id") WHERE "whatsapp_message"."media_id" is not null;