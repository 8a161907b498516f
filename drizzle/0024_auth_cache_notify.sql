-- Consoles memoise verified API keys and each org's API gate (lib/auth/api-key-cache.ts,
-- lib/billing/org-gate-cache.ts). Every change that can make such a memo wrong notifies the
-- channel warren_auth_cache when it commits, whichever process or tool made it, so every
-- console sharing this database forgets its memos at once (lib/server/auth-cache-bus.ts).
-- Statement-level: a bulk change is one notification. api_keys.last_used_at is not watched.
-- TRUNCATE fires no delete trigger, so it has its own; ENABLE ALWAYS: sessions in replica mode
-- (pg_restore --disable-triggers, logical replication) fire them too.
CREATE FUNCTION warren_auth_cache_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('warren_auth_cache', TG_TABLE_NAME);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER api_keys_auth_cache AFTER UPDATE OF id, org_id, name, prefix, hash, role, created_by, expires_at, revoked_at OR DELETE OR TRUNCATE ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION warren_auth_cache_changed();
--> statement-breakpoint
CREATE TRIGGER orgs_auth_cache AFTER UPDATE OF id, slug, plan_id, suspended_at, suspended_reason OR DELETE OR TRUNCATE ON orgs
  FOR EACH STATEMENT EXECUTE FUNCTION warren_auth_cache_changed();
--> statement-breakpoint
CREATE TRIGGER users_auth_cache AFTER UPDATE OF id, disabled_at OR DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION warren_auth_cache_changed();
--> statement-breakpoint
CREATE TRIGGER memberships_auth_cache AFTER UPDATE OR DELETE OR TRUNCATE ON memberships
  FOR EACH STATEMENT EXECUTE FUNCTION warren_auth_cache_changed();
--> statement-breakpoint
CREATE TRIGGER plans_auth_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plans
  FOR EACH STATEMENT EXECUTE FUNCTION warren_auth_cache_changed();
--> statement-breakpoint
CREATE TRIGGER org_sandbox_limits_auth_cache AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON org_sandbox_limits
  FOR EACH STATEMENT EXECUTE FUNCTION warren_auth_cache_changed();
--> statement-breakpoint
ALTER TABLE api_keys ENABLE ALWAYS TRIGGER api_keys_auth_cache;
--> statement-breakpoint
ALTER TABLE orgs ENABLE ALWAYS TRIGGER orgs_auth_cache;
--> statement-breakpoint
ALTER TABLE users ENABLE ALWAYS TRIGGER users_auth_cache;
--> statement-breakpoint
ALTER TABLE memberships ENABLE ALWAYS TRIGGER memberships_auth_cache;
--> statement-breakpoint
ALTER TABLE plans ENABLE ALWAYS TRIGGER plans_auth_cache;
--> statement-breakpoint
ALTER TABLE org_sandbox_limits ENABLE ALWAYS TRIGGER org_sandbox_limits_auth_cache;
