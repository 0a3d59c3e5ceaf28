CREATE TABLE `data_sharing_agreements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference` text NOT NULL,
	`valid_from` text NOT NULL,
	`valid_to` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `data_sharing_agreements_reference_unique` ON `data_sharing_agreements` (`reference`);--> statement-breakpoint
CREATE TABLE `dsa_parties` (
	`dsa_id` integer NOT NULL,
	`org_slug` text NOT NULL,
	PRIMARY KEY(`dsa_id`, `org_slug`),
	FOREIGN KEY (`dsa_id`) REFERENCES `data_sharing_agreements`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`org_slug`) REFERENCES `organisations`(`slug`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `dsa_parties_org` ON `dsa_parties` (`org_slug`);--> statement-breakpoint
CREATE TABLE `organisations` (
	`slug` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`issuer` text,
	`jwks` text,
	`contact` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `plan_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan_id` text NOT NULL,
	`version` integer NOT NULL,
	`status` text NOT NULL,
	`subject` text NOT NULL,
	`locations` text NOT NULL,
	`content` text NOT NULL,
	`governance` text NOT NULL,
	`content_hash` text NOT NULL,
	`review_by` text NOT NULL,
	`change_summary` text,
	`authors` text NOT NULL,
	`base_version_id` integer,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`submitted_by` text,
	`submitted_at` text,
	`approved_by` text,
	`published_at` text,
	`superseded_at` text,
	`withdrawn_by` text,
	`withdrawn_at` text,
	`withdraw_reason` text,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plan_versions_plan_version` ON `plan_versions` (`plan_id`,`version`);--> statement-breakpoint
CREATE INDEX `plan_versions_status` ON `plan_versions` (`status`);--> statement-breakpoint
CREATE TABLE `plans` (
	`id` text PRIMARY KEY NOT NULL,
	`owning_org` text NOT NULL,
	`external_ref` text NOT NULL,
	`current_version_id` integer,
	`withdrawn_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`owning_org`) REFERENCES `organisations`(`slug`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plans_org_ref` ON `plans` (`owning_org`,`external_ref`);--> statement-breakpoint
CREATE TABLE `search_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan_id` text NOT NULL,
	`created_at` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text NOT NULL,
	`last_error` text,
	`done_at` text
);
--> statement-breakpoint
CREATE INDEX `search_outbox_pending` ON `search_outbox` (`done_at`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `workflow_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan_id` text NOT NULL,
	`version_id` integer NOT NULL,
	`action` text NOT NULL,
	`actor` text NOT NULL,
	`actor_org` text NOT NULL,
	`at` text NOT NULL,
	`comment` text
);
--> statement-breakpoint
CREATE INDEX `workflow_events_version` ON `workflow_events` (`version_id`);