ALTER TABLE `data_sharing_agreements` ADD `ended_at` text;--> statement-breakpoint
ALTER TABLE `data_sharing_agreements` ADD `end_reason` text;--> statement-breakpoint
ALTER TABLE `organisations` ADD `disabled_at` text;