-- OpenID client secrets move from files under DATA_DIR/oidc into the database, sealed with KEYS_DIR's
-- secrets key (src/plans/keys/secrets.ts); client_secret_file stays, nullable, for the one-time read at
-- start (src/plans/governance/oidc-secret-files.ts). Edited by hand: drizzle-kit's copy selected the new
-- columns from the old table, and rebuilding the table drops its triggers (0011), made again below.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_organisation_oidc` (
	`org_slug` text PRIMARY KEY NOT NULL,
	`issuer` text NOT NULL,
	`client_id` text NOT NULL,
	`client_secret_ciphertext` text,
	`client_secret_key_id` text,
	`client_secret_file` text,
	`roles_claim` text NOT NULL,
	`role_map` text NOT NULL,
	`scopes` text NOT NULL,
	`enabled` integer NOT NULL,
	`org_claim` text,
	`org_code` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`org_slug`) REFERENCES `organisations`(`slug`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_organisation_oidc`("org_slug", "issuer", "client_id", "client_secret_file", "roles_claim", "role_map", "scopes", "enabled", "org_claim", "org_code", "updated_at") SELECT "org_slug", "issuer", "client_id", "client_secret_file", "roles_claim", "role_map", "scopes", "enabled", "org_claim", "org_code", "updated_at" FROM `organisation_oidc`;--> statement-breakpoint
DROP TABLE `organisation_oidc`;--> statement-breakpoint
ALTER TABLE `__new_organisation_oidc` RENAME TO `organisation_oidc`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
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
