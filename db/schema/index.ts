// One file per area; drizzle-kit reads them all through this index.
export * from './plans.js';
export * from './cards.js';
export * from './audit.js';
export * from './search.js';
export * from './auth.js';
export * from './agreements.js';
export * from './shared.js';
