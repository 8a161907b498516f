CREATE TABLE "terminal_shares" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"sandbox_id" text,
	"template" text,
	"mode" text NOT NULL,
	"token_hash" text NOT NULL,
	"label" text,
	"max_concurrent" integer DEFAULT 5 NOT NULL,
	"sandbox_timeout_sec" integer DEFAULT 600 NOT NULL,
	"created_by" text NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "terminal_shares" ADD CONSTRAINT "terminal_shares_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "terminal_shares_token_idx" ON "terminal_shares" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "terminal_shares_org_idx" ON "terminal_shares" USING btree ("org_id","created_at");