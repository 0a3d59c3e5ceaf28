CREATE TABLE `search_index_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`format` text NOT NULL,
	`built_at` text NOT NULL
);
