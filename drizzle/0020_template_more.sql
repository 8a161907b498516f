ALTER TABLE "orgs" ADD COLUMN "default_template_id" text;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "ready_command" text;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "ready_timeout_sec" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "snapshot_id" text;