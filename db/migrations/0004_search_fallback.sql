CREATE TABLE `search_fallback` (
	`rowid` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan_id` text NOT NULL,
	`owning_org` text NOT NULL,
	`date_of_birth` text NOT NULL,
	`doc` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_fallback_plan_id_unique` ON `search_fallback` (`plan_id`);--> statement-breakpoint
CREATE INDEX `search_fallback_org` ON `search_fallback` (`owning_org`);