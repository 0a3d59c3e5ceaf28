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
