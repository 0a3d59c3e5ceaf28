-- The read path caches plan pointers, organisations and agreement checks in memory (src/plans/read-cache.ts).
-- Any change to those tables, from this process or any other (a CLI import, a second service), bumps this
-- counter in the same transaction, so a cache that sees a new value drops everything it holds.
CREATE TABLE read_cache_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
--> statement-breakpoint
INSERT INTO read_cache_epoch (id, n) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER plans_insert_read_cache AFTER INSERT ON plans
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER plans_update_read_cache AFTER UPDATE ON plans
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER plans_delete_read_cache AFTER DELETE ON plans
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER organisations_insert_read_cache AFTER INSERT ON organisations
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER organisations_update_read_cache AFTER UPDATE ON organisations
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER organisations_delete_read_cache AFTER DELETE ON organisations
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER data_sharing_agreements_insert_read_cache AFTER INSERT ON data_sharing_agreements
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER data_sharing_agreements_update_read_cache AFTER UPDATE ON data_sharing_agreements
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER data_sharing_agreements_delete_read_cache AFTER DELETE ON data_sharing_agreements
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER dsa_parties_insert_read_cache AFTER INSERT ON dsa_parties
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER dsa_parties_update_read_cache AFTER UPDATE ON dsa_parties
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER dsa_parties_delete_read_cache AFTER DELETE ON dsa_parties
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
