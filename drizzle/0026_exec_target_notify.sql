-- Consoles memoise which runner holds a live sandbox for exec calls (lib/sandboxes/exec-target-memo.ts).
-- A sandbox's delete (deleted_at set or cleared), a change of its org or runner, or its row
-- going notifies warren_auth_cache with `sandbox:<id>` when it commits, whichever process made
-- it, so every console forgets that one memo at once (lib/server/auth-cache-bus.ts). Row-level,
-- so each notice names its sandbox; state changes (every runner report) notify nothing: exec
-- does not read the state. TRUNCATE notifies the table's name, which forgets every memo.
CREATE FUNCTION warren_exec_target_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('warren_auth_cache', 'sandbox:' || OLD.id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER sandboxes_exec_target_update AFTER UPDATE OF id, org_id, runner_id, deleted_at ON sandboxes
  FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.runner_id IS DISTINCT FROM NEW.runner_id OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION warren_exec_target_changed();
--> statement-breakpoint
CREATE TRIGGER sandboxes_exec_target_delete AFTER DELETE ON sandboxes
  FOR EACH ROW EXECUTE FUNCTION warren_exec_target_changed();
--> statement-breakpoint
CREATE TRIGGER sandboxes_exec_target_truncate AFTER TRUNCATE ON sandboxes
  FOR EACH STATEMENT EXECUTE FUNCTION warren_auth_cache_changed();
--> statement-breakpoint
ALTER TABLE sandboxes ENABLE ALWAYS TRIGGER sandboxes_exec_target_update;
--> statement-breakpoint
ALTER TABLE sandboxes ENABLE ALWAYS TRIGGER sandboxes_exec_target_delete;
--> statement-breakpoint
ALTER TABLE sandboxes ENABLE ALWAYS TRIGGER sandboxes_exec_target_truncate;
