-- A sandbox's change of state, runner or delete now says what the row became: the notice is
-- `sandboxrow:` and a JSON array [id, org_id, runner_id, state, deleted], and a console whose
-- memo (lib/sandboxes/sandbox-row-memo.ts) already holds exactly that keeps it. The case it is
-- for: a create remembers the running row its own write returned, and that write's
-- creating → running notice no longer makes every console, the creating one too, forget it, so
-- the agent's first exec reads no row on Postgres either. A change of id or org still notifies
-- `sandbox:<id>` (forget); a console that does not know the new prefix forgets everything.
CREATE FUNCTION warren_sandbox_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.id IS DISTINCT FROM NEW.id OR OLD.org_id IS DISTINCT FROM NEW.org_id THEN
    PERFORM pg_notify('warren_auth_cache', 'sandbox:' || OLD.id);
    PERFORM pg_notify('warren_auth_cache', 'sandbox:' || NEW.id);
  ELSE
    PERFORM pg_notify('warren_auth_cache', 'sandboxrow:' || json_build_array(NEW.id, NEW.org_id, NEW.runner_id, NEW.state, NEW.deleted_at IS NOT NULL)::text);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER sandboxes_exec_target_update ON sandboxes;
--> statement-breakpoint
CREATE TRIGGER sandboxes_exec_target_update AFTER UPDATE OF id, org_id, runner_id, deleted_at, state ON sandboxes
  FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.runner_id IS DISTINCT FROM NEW.runner_id OR OLD.id IS DISTINCT FROM NEW.id OR OLD.state IS DISTINCT FROM NEW.state)
  EXECUTE FUNCTION warren_sandbox_row_changed();
--> statement-breakpoint
ALTER TABLE sandboxes ENABLE ALWAYS TRIGGER sandboxes_exec_target_update;
