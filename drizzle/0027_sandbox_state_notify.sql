-- The sandbox memo (lib/sandboxes/sandbox-row-memo.ts) now also serves calls that decide by a
-- sandbox's state (the E2B gateway's), so a change of state notifies `sandbox:<id>` too, as a
-- delete does (drizzle/0026): every console forgets that one memo when it commits. Only a real
-- change: the runner's reports that repeat the state write nothing (lib/sandboxes/store.ts).
DROP TRIGGER sandboxes_exec_target_update ON sandboxes;
--> statement-breakpoint
CREATE TRIGGER sandboxes_exec_target_update AFTER UPDATE OF id, org_id, runner_id, deleted_at, state ON sandboxes
  FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.runner_id IS DISTINCT FROM NEW.runner_id OR OLD.id IS DISTINCT FROM NEW.id OR OLD.state IS DISTINCT FROM NEW.state)
  EXECUTE FUNCTION warren_exec_target_changed();
--> statement-breakpoint
ALTER TABLE sandboxes ENABLE ALWAYS TRIGGER sandboxes_exec_target_update;
