CREATE TABLE `search_cursors` (
	`consumer` text PRIMARY KEY NOT NULL,
	`position` integer NOT NULL,
	`format` text NOT NULL,
	`built_at` text NOT NULL,
	`seen_at` text NOT NULL,
	`holder` text,
	`held_until` text
);
--> statement-breakpoint
CREATE TABLE `search_log_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`pruned_through` integer NOT NULL,
	`pruned_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `search_parked` (
	`plan_id` text PRIMARY KEY NOT NULL,
	`position` integer NOT NULL,
	`parked_at` text NOT NULL,
	`reason` text NOT NULL
);
--> statement-breakpoint
DROP INDEX `search_outbox_pending`;--> statement-breakpoint
ALTER TABLE `search_outbox` DROP COLUMN `attempts`;--> statement-breakpoint
ALTER TABLE `search_outbox` DROP COLUMN `next_attempt_at`;--> statement-breakpoint
ALTER TABLE `search_outbox` DROP COLUMN `last_error`;--> statement-breakpoint
ALTER TABLE `search_outbox` DROP COLUMN `done_at`;--> statement-breakpoint
ALTER TABLE `search_outbox` DROP COLUMN `parked_at`;