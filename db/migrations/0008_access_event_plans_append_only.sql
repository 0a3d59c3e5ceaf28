-- The plan lookup decides which events a person's access report shows: no code path may change or remove
-- an entry (hiding an access from the person would need it). Its progress row only ever moves forward.
-- It starts empty: the first pass of the indexer (access-index.mjs) builds it from the log.
CREATE TRIGGER access_event_plans_no_update
BEFORE UPDATE ON access_event_plans
BEGIN
  SELECT RAISE(ABORT, 'the access-event plan lookup is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER access_event_plans_no_delete
BEFORE DELETE ON access_event_plans
BEGIN
  SELECT RAISE(ABORT, 'the access-event plan lookup is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER access_index_state_forward_only
BEFORE UPDATE ON access_index_state
WHEN NEW.indexed_seq < OLD.indexed_seq
BEGIN
  SELECT RAISE(ABORT, 'the access-event plan lookup only moves forward');
END;
--> statement-breakpoint
INSERT INTO access_index_state (id, indexed_seq) VALUES (1, 0);
