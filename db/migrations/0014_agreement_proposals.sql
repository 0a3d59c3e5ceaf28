CREATE TABLE `dsa_decisions` (
	`proposal_id` integer NOT NULL,
	`org_slug` text NOT NULL,
	`decision` text NOT NULL,
	`by_sub` text NOT NULL,
	`via` text NOT NULL,
	`at` text NOT NULL,
	`note` text,
	PRIMARY KEY(`proposal_id`, `org_slug`),
	FOREIGN KEY (`proposal_id`) REFERENCES `dsa_proposals`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`org_slug`) REFERENCES `organisations`(`slug`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `dsa_proposals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference` text NOT NULL,
	`kind` text NOT NULL,
	`parties` text NOT NULL,
	`valid_from` text NOT NULL,
	`valid_to` text NOT NULL,
	`reason` text,
	`proposed_by_org` text NOT NULL,
	`proposed_by_sub` text NOT NULL,
	`proposed_at` text NOT NULL,
	`state` text NOT NULL,
	`decided_at` text,
	`outcome_note` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dsa_proposals_one_pending` ON `dsa_proposals` (`reference`) WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX `dsa_proposals_state` ON `dsa_proposals` (`state`);--> statement-breakpoint
-- hand-written:
-- Agreements recorded before proposals existed came into force at once. They stay in force, recorded as
-- accepted by every party (via 'migration'), so the terms of each agreement in force have their acceptances.
INSERT INTO dsa_proposals (reference, kind, parties, valid_from, valid_to, reason, proposed_by_org, proposed_by_sub, proposed_at, state, decided_at)
SELECT d.reference, 'new',
       (SELECT json_group_array(org_slug) FROM (SELECT org_slug FROM dsa_parties WHERE dsa_id = d.id ORDER BY org_slug)),
       d.valid_from, d.valid_to, NULL, '(migration)', 'migration', d.created_at, 'accepted', d.created_at
FROM data_sharing_agreements d;
--> statement-breakpoint
INSERT INTO dsa_decisions (proposal_id, org_slug, decision, by_sub, via, at, note)
SELECT p.id, dp.org_slug, 'accepted', 'migration', 'migration', p.proposed_at, 'in force before agreements needed every party''s acceptance'
FROM dsa_proposals p
JOIN data_sharing_agreements d ON d.reference = p.reference
JOIN dsa_parties dp ON dp.dsa_id = d.id
WHERE p.proposed_by_org = '(migration)';
