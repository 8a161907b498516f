CREATE TABLE "usage_hourly" (
	"org_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"subject" text NOT NULL,
	"sandbox_id" text,
	"snapshot_id" text,
	"kind" text NOT NULL,
	"duration_ms" bigint NOT NULL,
	"vcpu_milli_ms" numeric NOT NULL,
	"mem_mib_ms" numeric NOT NULL,
	"disk_byte_ms" numeric NOT NULL,
	"cpu_ms" bigint NOT NULL,
	"cost_micros" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_meter_state" (
	"subject" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"last_cpu_ms" bigint,
	"last_cpu_at" timestamp (3) with time zone,
	"deleted_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "usage_periods" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"subject" text NOT NULL,
	"sandbox_id" text,
	"snapshot_id" text,
	"kind" text NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"ended_at" timestamp (3) with time zone,
	"vcpu_milli" integer DEFAULT 0 NOT NULL,
	"memory_mb" integer DEFAULT 0 NOT NULL,
	"disk_bytes" bigint DEFAULT 0 NOT NULL,
	"cpu_ms" bigint DEFAULT 0 NOT NULL,
	"cost_micros" bigint
);
--> statement-breakpoint
ALTER TABLE "runners" ADD COLUMN "journal_id" text;--> statement-breakpoint
ALTER TABLE "runners" ADD COLUMN "journal_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_hourly" ADD CONSTRAINT "usage_hourly_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_meter_state" ADD CONSTRAINT "usage_meter_state_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_periods" ADD CONSTRAINT "usage_periods_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "usage_hourly_key_idx" ON "usage_hourly" USING btree ("org_id","hour","kind","subject");--> statement-breakpoint
CREATE INDEX "usage_hourly_subject_idx" ON "usage_hourly" USING btree ("subject","hour");--> statement-breakpoint
CREATE UNIQUE INDEX "usage_periods_one_open_idx" ON "usage_periods" USING btree ("subject","kind") WHERE "usage_periods"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "usage_periods_org_started_idx" ON "usage_periods" USING btree ("org_id","started_at");--> statement-breakpoint
CREATE INDEX "usage_periods_subject_idx" ON "usage_periods" USING btree ("subject","started_at");