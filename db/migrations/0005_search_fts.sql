-- Search fallback (issue 4): full-text index over the same normalised name keys that Meilisearch holds.
-- Its rowid is search_fallback.rowid; the outbox worker writes both in one transaction.
CREATE VIRTUAL TABLE search_fts USING fts5(names, variants, phonetic, places, tokenize = 'unicode61 remove_diacritics 2');
--> statement-breakpoint
-- How many indexed plans hold each term: lets the re-ranker weigh rare surnames above common ones.
CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row');
