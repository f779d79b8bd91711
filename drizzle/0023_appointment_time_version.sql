-- The appointment version at which its time (start or zone) last changed (appointment.time_version):
-- a client's "1"/"2" counts only for a reminder of that version or a later one. Existing rows get 1,
-- so every reminder already sent for them stays answerable, as before. A constant default: nothing
-- is rewritten.
ALTER TABLE "appointment" ADD COLUMN "time_version" integer DEFAULT 1 NOT NULL;
