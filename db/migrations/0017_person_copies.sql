CREATE TABLE `person_copies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan_id` text NOT NULL,
	`version_id` integer NOT NULL,
	`version` integer NOT NULL,
	`without_identifiers` integer NOT NULL,
	`printed_by` text NOT NULL,
	`printed_at` text NOT NULL,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `plan_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `person_copies_plan` ON `person_copies` (`plan_id`);--> statement-breakpoint
-- hand-written:
-- Which copy the person holds is a record of what was handed over: no code path changes or removes it.
CREATE TRIGGER person_copies_no_update
BEFORE UPDATE ON person_copies
BEGIN
  SELECT RAISE(ABORT, 'person copies are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER person_copies_no_delete
BEFORE DELETE ON person_copies
BEGIN
  SELECT RAISE(ABORT, 'person copies are append-only');
END;
