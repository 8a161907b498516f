ALTER TABLE "templates" ADD COLUMN "recipe" jsonb;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "system_base" jsonb;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "context" text;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "context_sha256" text;