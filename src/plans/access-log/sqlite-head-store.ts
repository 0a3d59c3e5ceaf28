// The SQLite log's committed head, read synchronously when the log starts (the writer thread reads it
// again inside each commit; this copy only answers `head()` before the first one).
import type Database from 'better-sqlite3';
import type { ChainHead } from './writer/protocol.mjs';

export function sqliteChainHead(client: Database.Database): ChainHead | undefined {
  return client.prepare('SELECT seq, hash FROM access_events ORDER BY seq DESC LIMIT 1').get() as ChainHead | undefined;
}
