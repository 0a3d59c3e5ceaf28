CREATE TABLE `access_event_plans` (
	`plan_id` text NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY(`plan_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `access_index_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`indexed_seq` integer NOT NULL
);
--> statement-breakpoint
DROP INDEX `access_events_plan`;