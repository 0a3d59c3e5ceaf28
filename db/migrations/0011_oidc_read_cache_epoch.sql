-- Which organisations sign in through their own OpenID provider decides whether the development issuer may
-- still speak for them (src/server/auth/authenticator.ts), and that answer is cached with the organisations:
-- a change here bumps the same read-cache counter as a change to organisations.
CREATE TRIGGER organisation_oidc_insert_read_cache AFTER INSERT ON organisation_oidc
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER organisation_oidc_update_read_cache AFTER UPDATE ON organisation_oidc
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER organisation_oidc_delete_read_cache AFTER DELETE ON organisation_oidc
BEGIN
  UPDATE read_cache_epoch SET n = n + 1 WHERE id = 1;
END;
