ALTER TABLE `organisations` ADD `org_claim` text;--> statement-breakpoint
ALTER TABLE `organisations` ADD `org_code` text;--> statement-breakpoint
ALTER TABLE `organisation_oidc` ADD `org_claim` text;--> statement-breakpoint
ALTER TABLE `organisation_oidc` ADD `org_code` text;