-- generated, then edited by hand: the tables are UNLOGGED (db/pg/schema/shared.ts). Counters and
-- hand-offs need no WAL, no fsync per increment and no replica: a database crash empties them, which
-- resets rate limits and open refusal windows and nothing more.
CREATE UNLOGGED TABLE "handoffs" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNLOGGED TABLE "limit_hits" (
	"key" text NOT NULL,
	"at" bigint NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "limit_hits_key_at_pk" PRIMARY KEY("key","at")
);
--> statement-breakpoint
CREATE UNLOGGED TABLE "limit_refs" (
	"key" text NOT NULL,
	"ref" text NOT NULL,
	"at" bigint NOT NULL,
	CONSTRAINT "limit_refs_key_ref_pk" PRIMARY KEY("key","ref")
);
--> statement-breakpoint
CREATE UNLOGGED TABLE "refusal_windows" (
	"key" text PRIMARY KEY NOT NULL,
	"tag" text NOT NULL,
	"reason" text NOT NULL,
	"actor" text,
	"action" text NOT NULL,
	"channel" text NOT NULL,
	"from_ms" bigint NOT NULL,
	"count" integer NOT NULL,
	"overflow" boolean NOT NULL
);
--> statement-breakpoint
CREATE INDEX "handoffs_expires" ON "handoffs" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "limit_hits_at" ON "limit_hits" USING btree ("at");--> statement-breakpoint
CREATE INDEX "limit_refs_at" ON "limit_refs" USING btree ("at");--> statement-breakpoint
CREATE INDEX "refusal_windows_from" ON "refusal_windows" USING btree ("from_ms");