-- Edits and deletions for everyone that arrived before the message they name, parked until the
-- message is stored (apply-message-edit.ts). A new table: nothing existing is rewritten.
CREATE TABLE "pending_message_change" (
	"advisor_id" text NOT NULL,
	"evolution_message_id" text NOT NULL,
	"kind" text NOT NULL,
	"text" text,
	"caption" text,
	"at" timestamp with time zone NOT NULL,
	"parked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pending_message_change_advisor_id_evolution_message_id_kind_pk" PRIMARY KEY("advisor_id","evolution_message_id","kind")
);
--> statement-breakpoint
ALTER TABLE "pending_message_change" ADD CONSTRAINT "pending_message_change_advisor_id_user_id_fk" FOREIGN KEY ("advisor_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;