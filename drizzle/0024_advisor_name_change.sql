-- Planned appointment messages say the advisor's name ({nombre_asesor}). better-auth writes the name
-- in a transaction of its own and the plans were rendered again in a second one right after: a
-- failure in between (the database gone, the process killed) left them with the old name until the
-- next change of name. The mark that they owe a render is written by the name's own UPDATE, so it
-- commits with the name or not at all, whoever changes it (better-auth, an admin, an operator's SQL);
-- the auth route renders and deletes it at once, and the outbox sweeper takes any left behind.
CREATE TABLE "advisor_name_change" (
	"advisor_id" text PRIMARY KEY NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "advisor_name_change" ADD CONSTRAINT "advisor_name_change_advisor_id_user_id_fk" FOREIGN KEY ("advisor_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE FUNCTION "advisor_name_change_mark"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO "advisor_name_change" ("advisor_id") VALUES (NEW."id")
	ON CONFLICT ("advisor_id") DO UPDATE SET "changed_at" = now();
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "advisor_name_change" AFTER UPDATE OF "name" ON "user"
	FOR EACH ROW WHEN (OLD."name" IS DISTINCT FROM NEW."name")
	EXECUTE FUNCTION "advisor_name_change_mark"();
