CREATE TABLE "template_builds" (
	"id" text PRIMARY KEY NOT NULL,
	"template_id" text NOT NULL,
	"org_id" text,
	"version" integer NOT NULL,
	"runner_id" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"image" text NOT NULL,
	"image_digest" text,
	"image_config" jsonb,
	"size_bytes" bigint,
	"log" text DEFAULT '' NOT NULL,
	"error" text,
	"error_code" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "templates" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"image" text NOT NULL,
	"registry_username" text,
	"registry_password_secret" text,
	"start_command" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'building' NOT NULL,
	"current_build_id" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "sandboxes" ADD COLUMN "template_build_id" text;--> statement-breakpoint
ALTER TABLE "template_builds" ADD CONSTRAINT "template_builds_template_id_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."templates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "template_builds_version_idx" ON "template_builds" USING btree ("template_id","version");--> statement-breakpoint
CREATE INDEX "template_builds_status_idx" ON "template_builds" USING btree ("status");--> statement-breakpoint
CREATE INDEX "templates_org_idx" ON "templates" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "templates_org_name_idx" ON "templates" USING btree ("org_id","name") WHERE "templates"."deleted_at" is null;