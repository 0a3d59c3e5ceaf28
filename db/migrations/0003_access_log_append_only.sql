-- The access log and its checkpoints are evidence: once written, no code path may change or remove a row.
-- (Someone with the file can still edit it outside SQLite; the hash chain and signed checkpoints catch that.)
CREATE TRIGGER access_events_no_update
BEFORE UPDATE ON access_events
BEGIN
  SELECT RAISE(ABORT, 'access events are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER access_events_no_delete
BEFORE DELETE ON access_events
BEGIN
  SELECT RAISE(ABORT, 'access events are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_update
BEFORE UPDATE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit checkpoints are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_delete
BEFORE DELETE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit checkpoints are append-only');
END;
