-- hand-written: the PostgreSQL search fallback's name keys (src/search/fallback-pg-store.ts), in the place
-- of SQLite's FTS5 table (migration 0005): one row per key and field of each indexed plan, carrying the
-- plan's number of keys, so that candidates are ranked by the same bm25 FTS5 computes. PostgreSQL-only,
-- outside drizzle's schema, as FTS5 is on SQLite. Keys are [a-z0-9] compared byte by byte: in the C
-- collation, a prefix is a range of the primary key whatever the database's own collation.
CREATE TABLE "search_fallback_terms" (
	"term" text COLLATE "C" NOT NULL,
	-- search_fallback's rowid; no foreign key: the store writes and deletes a plan's row and keys together,
	-- and a rebuild inserts tens of keys per plan, each of which a key check would look up.
	"rowid" bigint NOT NULL,
	-- 0 names, 1 variants, 2 phonetic, 3 places (FTS5's column order)
	"field" smallint NOT NULL CHECK ("field" BETWEEN 0 AND 3),
	"len" integer NOT NULL,
	PRIMARY KEY ("term", "rowid", "field") INCLUDE ("len")
);
--> statement-breakpoint
CREATE INDEX "search_fallback_terms_row" ON "search_fallback_terms" ("rowid");
