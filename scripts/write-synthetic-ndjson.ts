// Writes N synthetic import records (invented people) as NDJSON, for measuring and demonstrating import.
// usage: tsx scripts/write-synthetic-ndjson.ts N FILE [owningOrg,...]
import fs from 'node:fs';
import { syntheticRecords } from '../src/plans/demo/synthetic.js';

const [n = '10000', file = '/tmp/synthetic.ndjson', orgs = 'southbank-mh,northgate-mh'] = process.argv.slice(2);
const out = fs.createWriteStream(file);
for (const r of syntheticRecords(Number(n), { seed: 1234, owningOrgs: orgs.split(','), today: new Date().toISOString().slice(0, 10) })) {
  out.write(`${JSON.stringify(r)}\n`);
}
out.end(() => console.log(`wrote ${n} records to ${file}`));
