-- The inbox chat and each conversation's last message are ordered by when a message was exchanged
-- (inbound: created_at; outbound: sent_at once sent, else created_at), then id: without this index
-- every page read all of the conversation's rows through whatsapp_message_advisor_phone_idx and
-- sorted them. DESC on id without NULLS LAST, as the query's ORDER BY says. Writes wait while it builds.
CREATE INDEX "whatsapp_message_phone_exchanged_idx" ON "whatsapp_message" USING btree ("advisor_id","phone",(case when "direction" = 'inbound' then "created_at" else coalesce("sent_at", "created_at") end) desc,"id" DESC NULLS FIRST);