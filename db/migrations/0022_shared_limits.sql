CREATE TABLE `handoffs` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `handoffs_expires` ON `handoffs` (`expires_at`);--> statement-breakpoint
CREATE TABLE `limit_hits` (
	`key` text NOT NULL,
	`at` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`key`, `at`)
);
--> statement-breakpoint
CREATE INDEX `limit_hits_at` ON `limit_hits` (`at`);--> statement-breakpoint
CREATE TABLE `limit_refs` (
	`key` text NOT NULL,
	`ref` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`key`, `ref`)
);
--> statement-breakpoint
CREATE INDEX `limit_refs_at` ON `limit_refs` (`at`);--> statement-breakpoint
CREATE TABLE `refusal_windows` (
	`key` text PRIMARY KEY NOT NULL,
	`tag` text NOT NULL,
	`reason` text NOT NULL,
	`actor` text,
	`action` text NOT NULL,
	`channel` text NOT NULL,
	`from_ms` integer NOT NULL,
	`count` integer NOT NULL,
	`overflow` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `refusal_windows_from` ON `refusal_windows` (`from_ms`);