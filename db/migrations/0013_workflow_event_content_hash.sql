ALTER TABLE `workflow_events` ADD `content_hash` text;--> statement-breakpoint
-- hand-written:
-- Approvals and imports recorded before this column: the version's content was frozen from submission
-- (0001 trigger), so its hash is exactly what was published. Earlier submit/return events are left null,
-- since the draft may have been edited after them.
UPDATE `workflow_events` SET `content_hash` = (SELECT `content_hash` FROM `plan_versions` WHERE `plan_versions`.`id` = `workflow_events`.`version_id`) WHERE `action` IN ('approved', 'imported');
