CREATE TABLE `plan_cards` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`code_hash` text NOT NULL,
	`issued_by` text NOT NULL,
	`issued_at` text NOT NULL,
	`revoked_at` text,
	`revoked_by` text,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plan_cards_token` ON `plan_cards` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `plan_cards_code` ON `plan_cards` (`code_hash`);--> statement-breakpoint
CREATE INDEX `plan_cards_plan` ON `plan_cards` (`plan_id`);--> statement-breakpoint
CREATE TABLE `access_events` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`actor_sub` text,
	`actor_org` text,
	`actor_roles` text,
	`action` text NOT NULL,
	`channel` text NOT NULL,
	`purpose` text,
	`plan_id` text,
	`version_id` integer,
	`query` text,
	`result_plan_ids` text,
	`outcome` text NOT NULL,
	`reason` text,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `access_events_plan` ON `access_events` (`plan_id`,`seq`);--> statement-breakpoint
CREATE INDEX `access_events_actor` ON `access_events` (`actor_sub`,`seq`);--> statement-breakpoint
CREATE INDEX `access_events_org` ON `access_events` (`actor_org`,`seq`);--> statement-breakpoint
CREATE INDEX `access_events_at` ON `access_events` (`at`);--> statement-breakpoint
CREATE TABLE `audit_checkpoints` (
	`id` integer PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`head_seq` integer NOT NULL,
	`head_hash` text NOT NULL,
	`key_id` text NOT NULL,
	`signature` text NOT NULL
);
