CREATE TABLE "runners" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"token_ciphertext" text NOT NULL,
	"capacity" jsonb,
	"state" text DEFAULT 'ready' NOT NULL,
	"heartbeat_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "exec_log" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"sandbox_id" text NOT NULL,
	"cmd" text NOT NULL,
	"exit_code" integer,
	"duration_ms" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "org_sandbox_limits" (
	"org_id" text PRIMARY KEY NOT NULL,
	"max_sandboxes" integer,
	"max_cpu" real,
	"max_memory_mb" integer,
	"max_disk_mb" integer,
	"max_timeout_sec" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_ports" (
	"sandbox_id" text NOT NULL,
	"org_id" text NOT NULL,
	"port" integer NOT NULL,
	"public" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sandbox_ports_sandbox_id_port_pk" PRIMARY KEY("sandbox_id","port")
);
--> statement-breakpoint
CREATE TABLE "sandboxes" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"runner_id" text NOT NULL,
	"template" text DEFAULT 'default' NOT NULL,
	"snapshot_id" text,
	"state" text DEFAULT 'creating' NOT NULL,
	"desired_state" text DEFAULT 'running' NOT NULL,
	"reason" text,
	"cpu" real NOT NULL,
	"memory_mb" integer NOT NULL,
	"disk_mb" integer NOT NULL,
	"network" jsonb NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"timeout_sec" integer NOT NULL,
	"idle_timeout_sec" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone,
	"last_activity_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"stopped_at" timestamp with time zone,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"sandbox_id" text NOT NULL,
	"runner_id" text NOT NULL,
	"name" text,
	"size_bytes" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "exec_log" ADD CONSTRAINT "exec_log_sandbox_id_sandboxes_id_fk" FOREIGN KEY ("sandbox_id") REFERENCES "public"."sandboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_sandbox_limits" ADD CONSTRAINT "org_sandbox_limits_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_ports" ADD CONSTRAINT "sandbox_ports_sandbox_id_sandboxes_id_fk" FOREIGN KEY ("sandbox_id") REFERENCES "public"."sandboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandboxes" ADD CONSTRAINT "sandboxes_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "exec_log_sandbox_created_idx" ON "exec_log" USING btree ("sandbox_id","created_at");--> statement-breakpoint
CREATE INDEX "sandboxes_org_created_idx" ON "sandboxes" USING btree ("org_id","created_at","id");--> statement-breakpoint
CREATE INDEX "sandboxes_runner_idx" ON "sandboxes" USING btree ("runner_id");--> statement-breakpoint
CREATE INDEX "sandboxes_snapshot_idx" ON "sandboxes" USING btree ("snapshot_id");--> statement-breakpoint
CREATE INDEX "snapshots_org_created_idx" ON "snapshots" USING btree ("org_id","created_at");