-- Evolution ids of attempts a retry gave up (retry-message.ts): their late echo or receipts must not
-- be taken for the retry's. A new table: nothing existing is rewritten.
CREATE TABLE "superseded_send" (
	"advisor_id" text NOT NULL,
	"evolution_message_id" text NOT NULL,
	"message_id" uuid NOT NULL,
	"superseded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "superseded_send_advisor_id_evolution_message_id_pk" PRIMARY KEY("advisor_id","evolution_message_id")
);
--> statement-breakpoint
ALTER TABLE "superseded_send" ADD CONSTRAINT "superseded_send_advisor_id_user_id_fk" FOREIGN KEY ("advisor_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;