// The PostgreSQL schema: the same exports, one file per area, as db/schema/index.ts. drizzle-kit
// (drizzle.pg.config.ts) reads them all through this index.
export * from './plans.js';
export * from './cards.js';
export * from './audit.js';
export * from './search.js';
export * from './auth.js';
export * from './agreements.js';
export * from './shared.js';
