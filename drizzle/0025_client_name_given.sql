-- A client's name given by the advisor or the booking (a send's clientName) is no longer replaced by
-- the name the client shows on WhatsApp (pushName) each time they write: the inbox showed "Evi 🌸"
-- for the Eva Martínez of the agenda, and back again at the next reminder. Rows from before start
-- as not given (the pushName keeps replacing their name until a send names the client). A constant
-- default: no table rewrite.
ALTER TABLE "whatsapp_client" ADD COLUMN "name_given" boolean DEFAULT false NOT NULL;