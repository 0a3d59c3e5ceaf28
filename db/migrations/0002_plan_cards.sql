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
CREATE INDEX `plan_cards_plan` ON `plan_cards` (`plan_id`);