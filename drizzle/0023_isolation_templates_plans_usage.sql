ALTER TABLE "plans" ADD COLUMN "required_isolation" text;--> statement-breakpoint
ALTER TABLE "terminal_shares" ADD COLUMN "isolation" text;--> statement-breakpoint
ALTER TABLE "usage_hourly" ADD COLUMN "isolation" text;--> statement-breakpoint
ALTER TABLE "usage_periods" ADD COLUMN "isolation" text;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "isolation" text;--> statement-breakpoint
-- Usage metered before this migration takes its sandbox's level (snapshots' storage stays null).
UPDATE "usage_periods" p SET "isolation" = s."isolation" FROM "sandboxes" s WHERE s."id" = p."sandbox_id" AND p."isolation" IS NULL;--> statement-breakpoint
UPDATE "usage_hourly" h SET "isolation" = s."isolation" FROM "sandboxes" s WHERE s."id" = h."sandbox_id" AND h."isolation" IS NULL;
