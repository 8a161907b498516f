CREATE TABLE "api_rate_buckets" (
	"api_key_id" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"allowed" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp (6) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_holds" (
	"org_id" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"stops_at" timestamp with time zone NOT NULL,
	"stopped_at" timestamp with time zone,
	"stopped_sandboxes" jsonb
);
--> statement-breakpoint
CREATE TABLE "billing_notices" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"kind" text NOT NULL,
	"period_key" text NOT NULL,
	"threshold_micros" bigint NOT NULL,
	"spent_micros" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit_grants" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"kind" text NOT NULL,
	"amount_micros" bigint NOT NULL,
	"reason" text NOT NULL,
	"granted_by" text NOT NULL,
	"granted_by_id" text,
	"period_key" text,
	"effective_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plans" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"custom" boolean DEFAULT false NOT NULL,
	"price_micros" bigint DEFAULT 0 NOT NULL,
	"monthly_credit_micros" bigint DEFAULT 0 NOT NULL,
	"vcpu_hour_micros" bigint NOT NULL,
	"memory_gib_hour_micros" bigint NOT NULL,
	"paused_gib_hour_micros" bigint NOT NULL,
	"storage_gib_hour_micros" bigint NOT NULL,
	"active_cpu_hour_micros" bigint NOT NULL,
	"max_sandboxes" integer NOT NULL,
	"max_running_cpu" real NOT NULL,
	"max_running_memory_mb" integer NOT NULL,
	"max_cpu" real NOT NULL,
	"max_memory_mb" integer NOT NULL,
	"max_disk_mb" integer NOT NULL,
	"max_timeout_sec" integer NOT NULL,
	"max_snapshot_bytes" bigint NOT NULL,
	"max_templates" integer NOT NULL,
	"api_requests_per_minute" integer NOT NULL,
	"max_ports_per_sandbox" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "quota_reservations" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"kind" text NOT NULL,
	"amount" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "orgs" ADD COLUMN "plan_id" text DEFAULT 'free' NOT NULL;--> statement-breakpoint
ALTER TABLE "orgs" ADD COLUMN "has_payment_method" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "orgs" ADD COLUMN "spend_limit_micros" bigint;--> statement-breakpoint
ALTER TABLE "orgs" ADD COLUMN "spend_alert_micros" bigint;--> statement-breakpoint
ALTER TABLE "orgs" ADD COLUMN "suspended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orgs" ADD COLUMN "suspended_reason" text;--> statement-breakpoint
ALTER TABLE "org_sandbox_limits" ADD COLUMN "max_running_cpu" real;--> statement-breakpoint
ALTER TABLE "org_sandbox_limits" ADD COLUMN "max_running_memory_mb" integer;--> statement-breakpoint
ALTER TABLE "org_sandbox_limits" ADD COLUMN "max_snapshot_bytes" bigint;--> statement-breakpoint
ALTER TABLE "org_sandbox_limits" ADD COLUMN "max_templates" integer;--> statement-breakpoint
ALTER TABLE "org_sandbox_limits" ADD COLUMN "api_requests_per_minute" integer;--> statement-breakpoint
ALTER TABLE "api_rate_buckets" ADD CONSTRAINT "api_rate_buckets_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_holds" ADD CONSTRAINT "billing_holds_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_notices" ADD CONSTRAINT "billing_notices_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_grants" ADD CONSTRAINT "credit_grants_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quota_reservations" ADD CONSTRAINT "quota_reservations_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "billing_notices_once_idx" ON "billing_notices" USING btree ("org_id","kind","period_key","threshold_micros");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_grants_monthly_idx" ON "credit_grants" USING btree ("org_id","period_key") WHERE "credit_grants"."kind" = 'monthly';--> statement-breakpoint
CREATE INDEX "credit_grants_org_idx" ON "credit_grants" USING btree ("org_id","effective_at");--> statement-breakpoint
CREATE INDEX "quota_reservations_org_idx" ON "quota_reservations" USING btree ("org_id","kind");