ALTER TABLE "orgs" ADD COLUMN "stopped_retention_days" integer;--> statement-breakpoint
ALTER TABLE "sandboxes" ADD COLUMN "name" text;--> statement-breakpoint
ALTER TABLE "sandboxes" ADD COLUMN "on_timeout" text DEFAULT 'stop' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "sandboxes_org_name_idx" ON "sandboxes" USING btree ("org_id","name") WHERE "sandboxes"."deleted_at" is null and "sandboxes"."name" is not null;--> statement-breakpoint
CREATE INDEX "sandboxes_stopped_idx" ON "sandboxes" USING btree ("stopped_at") WHERE "sandboxes"."state" = 'stopped' and "sandboxes"."deleted_at" is null;