// The in-process keys on both dialects: they choose the candidates the database's fallback chooses, count
// keys as it does, and follow its changes (made on this node or another) without a rebuild.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import type { SearchDoc } from '../../src/search/document.js';
import { createFallbackStore } from '../../src/search/fallback.js';
import { createKeyIndex } from '../../src/search/key-index.js';
import { createSearchService } from '../../src/search/service.js';
import { createIndexSync } from '../../src/search/sync.js';
import { generatePeople, toImportRecord } from '../../scripts/eval-search/generate.js';
import { onCleanup } from '../cleanup.js';
import { dialects, testStore } from '../helpers.js';
import { cast, person } from './helpers.js';
import { publish, withdrawn } from './store-writes.js';

const ids = (docs: SearchDoc[]) => docs.map((d) => d.externalRef);
const south = { owners: ['southbank-mh'] };

async function setUp(dialect: (typeof dialects)[number]) {
  const db = await testStore(dialect);
  const fallback = createFallbackStore(db);
  const sync = createIndexSync({ db, fallback, logger: silentLogger() });
  await sync.reconcile();
  const keysOn = (pollMs = 10_000) => {
    const k = createKeyIndex({ db, fallback, logger: silentLogger(), pollMs });
    onCleanup(() => k.stop());
    return k;
  };
  return { db, fallback, sync, keysOn };
}

describe.each(dialects)('in-process search keys on %s', (dialect) => {
  it('not loaded before the fallback is built; then the same candidates and counts as the fallback', async () => {
    const db = await testStore(dialect);
    const fallback = createFallbackStore(db);
    const early = createKeyIndex({ db, fallback, logger: silentLogger(), pollMs: 10_000 });
    onCleanup(() => early.stop());
    await early.start();
    expect(early.ready()).toBe(false);

    const sync = createIndexSync({ db, fallback, logger: silentLogger() });
    await Promise.all(cast.map((r, i) => publish(db, r, i)));
    await sync.reconcile();
    await early.refresh();
    expect([early.ready(), early.size()]).toEqual([true, cast.length]);

    for (const terms of [['smith'], ['okonkwo', 'nobodyhasthis'], ['siobhan', 'quillfeather'], ['llewellyn']]) {
      const df = await fallback.docFrequencies(terms);
      expect(terms.map((t) => early.frequency(t))).toEqual(terms.map((t) => df.get(t) ?? 0));
    }
    const filters = [
      south,
      { ...south, dob: '1988' },
      { ...south, dob: '1995-12-12' },
      { ...south, dobAnyOf: ['1970-01-01', '1995-12-12'] },
      { ...south, dobAnyOf: ['1970-01', '1988-08'] },
      { owners: ['northgate-mh'] },
      { owners: [] },
    ];
    for (const filter of filters)
      for (const [terms, prefix] of [[['smith']], [['llewellyn']], [[], 'penning'], [['siobhan', 'quillfeather']], [[]]] as const) {
        // A full date of birth: everyone on it is a candidate of the keys too, whatever their names.
        const full = ('dob' in filter && filter.dob?.length === 10) || ('dobAnyOf' in filter && filter.dobAnyOf[0]?.length === 10);
        const dated = full ? await fallback.candidates([], undefined, filter, 100) : [];
        const want = [...new Set(ids([...(await fallback.candidates([...terms], prefix, filter, 100)), ...dated]))].sort();
        expect(
          ids(early.candidates({ typed: [...terms], prefix }, filter, 100)).sort(),
          `${terms} ${prefix} ${JSON.stringify(filter)}`,
        ).toEqual(want);
      }
    // Both words of a name outrank one of them; nothing to match: everyone the filter leaves, in a stable order.
    expect(
      ids(early.candidates({ typed: ['siobhan', 'quillfeather'] }, south, 10))
        .slice(0, 2)
        .sort(),
    ).toEqual(['S-PR1', 'S-PR2']);
    const all = ids(early.candidates({ typed: [] }, south, 1000));
    expect(ids(early.candidates({ typed: [] }, south, 3))).toEqual(all.slice(0, 3));
  });

  it('chooses the candidates the fallback chooses on a generated population (the first ten of each within its first forty)', async () => {
    const { db, fallback, sync, keysOn } = await setUp(dialect);
    const people = generatePeople(400, 7).map(toImportRecord);
    for (let i = 0; i < people.length; i++) await publish(db, people[i]!, i);
    await sync.drain();
    const keys = keysOn();
    await keys.start();
    expect(keys.size()).toBe(people.length);
    const everyone = { owners: [...new Set(people.map((p) => p.owningOrg))] };
    let compared = 0;
    for (const p of people.slice(0, 60)) {
      const terms = [p.subject.familyName.toLowerCase(), p.subject.givenNames.split(' ')[0]!.toLowerCase()].filter((t) =>
        /^[a-z0-9]+$/.test(t),
      );
      if (!terms.length) continue;
      const mine = ids(keys.candidates({ typed: terms }, everyone, 40));
      const theirs = ids(await fallback.candidates(terms, undefined, everyone, 10));
      expect(mine).toContain(p.externalRef);
      for (const ref of theirs) expect(mine, terms.join(' ')).toContain(ref);
      compared++;
    }
    expect(compared).toBeGreaterThan(40);
  });

  it("beyond the fallback: names one typo away; each typed word's own bearers; the family name before the given name; a further test", async () => {
    const { db, sync, keysOn } = await setUp(dialect);
    // Two people called Morag (a rare lookalike of a misheard word), twenty-eight called Carrow by their
    // given name and two by their family name.
    const morags = [0, 1].map((i) => person({ ref: `S-MG${i}`, given: 'Morag', family: `Tallis${'ab'[i]}`, dob: '1970-01-01' }));
    const carrows = [
      ...Array.from({ length: 28 }, (_, i) => person({ ref: `S-CG${i}`, given: 'Carrow', family: `Fenwright${i}`, dob: '1981-01-01' })),
      person({
        ref: 'S-CF1',
        given: 'Ines',
        family: 'Carrow',
        dob: '1983-01-01',
        locations: [{ label: 'Deptford', lat: 51.48, lng: -0.02 }],
      }),
    ];
    const people = [...cast, ...morags, ...carrows];
    for (let i = 0; i < people.length; i++) await publish(db, people[i]!, i);
    await sync.drain();
    const keys = keysOn();
    await keys.start();

    // "Pennignton": no key holds it, but Pennington is one swap away.
    expect(ids(keys.candidates({ typed: ['pennignton'] }, south, 10))).toEqual(['S-ROB']);
    expect(ids(keys.candidates({ typed: ['smiht'] }, south, 10)).sort()).toEqual(['S-JS1', 'S-JS2', 'S-JS3']);
    // Rarer names one typo away (Morag for "momag", Bill Karrow) score best and fill the limit; still the
    // Carrows typed beside them are candidates, twenty of them, the family-name Carrows (Ines, William) first.
    const found = ids(keys.candidates({ typed: ['carrow', 'momag'] }, south, 2));
    const carrowRefs = new Set(['S-BC1', 'S-CF1', ...carrows.map((c) => c.externalRef)]);
    expect(found.slice(0, 2).filter((r) => carrowRefs.has(r))).toEqual([]);
    expect(found.slice(0, 2)).toContain('S-MG0');
    expect(found.slice(2, 4).sort()).toEqual(['S-BC1', 'S-CF1']);
    expect(found.filter((r) => carrowRefs.has(r))).toHaveLength(20);
    const alone = ids(keys.candidates({ typed: ['carrow'] }, south, 3)).filter((r) => carrowRefs.has(r));
    expect(alone.slice(0, 2).sort()).toEqual(['S-BC1', 'S-CF1']);
    // A further test (a place's distance) is applied before the limit, not after it.
    const deptford = (d: { locations: { label: string }[] }) => d.locations.some((l) => l.label === 'Deptford');
    expect(ids(keys.candidates({ typed: ['carrow'] }, south, 1, deptford))).toEqual(['S-CF1']);
  });

  it('a word no key holds, nor a typo or start of one, leaves the first stage unsettled: the second finds the sound-alike', async () => {
    const { db, sync, keysOn } = await setUp(dialect);
    // Forty-five Ians indexed first (one known by the alias Ian Fairclough), Ian Fairclough last: the first
    // stage, which cannot see "fairclow" (three edits from Fairclough), holds only the first forty Ians.
    const ians = Array.from({ length: 45 }, (_, i) =>
      person({ ref: `S-IAN${i}`, given: 'Ian', family: `Quorndon${String.fromCharCode(97 + (i % 26))}${i}`, dob: '1960-01-01' }),
    );
    ians[0] = person({ ref: 'S-IAN0', given: 'Ian', family: 'Clerkwell', dob: '1960-01-01', aliases: ['Ian Fairclough'] });
    // Two hundred others, so that Ian is a common name but not everyone's (as in a register).
    const word = (i: number) => `Zy${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`;
    const others = Array.from({ length: 200 }, (_, i) =>
      person({ ref: `S-OTH${i}`, given: word(i), family: `${word(i)}son`, dob: '1970-01-01' }),
    );
    const people = [...others, ...ians, person({ ref: 'S-IFC', given: 'Ian', family: 'Fairclough', dob: '1969-02-28' })];
    for (let i = 0; i < people.length; i++) await publish(db, people[i]!, i);
    await sync.drain();
    const keys = keysOn();
    await keys.start();
    expect([keys.covers('fairclow'), keys.covers('fairclough'), keys.covers('fairclugh'), keys.covers('fairc')]).toEqual([
      false,
      true,
      true,
      true,
    ]);
    expect(ids(keys.candidates({ typed: ['ian', 'fairclow'] }, south, 40))).not.toContain('S-IFC');
    const service = createSearchService({ db, logger: silentLogger(), fallback: createFallbackStore(db), keys });
    onCleanup(() => service.stop());
    const author = { sub: 'author.a', org: 'southbank-mh', orgKind: 'mental-health' as const, roles: ['author' as const] };
    const found = await service.search(author, { q: 'ian fairclow', limit: 5 } as never, '2026-11-23');
    expect(found.ok && found.value.results.map((r) => r.externalRef).slice(0, 2)).toEqual(['S-IFC', 'S-IAN0']);
  });

  it('follows the fallback: a publish and a withdrawal here at once, another node within its poll, and reloads after the log was pruned past it', async () => {
    const { db, sync, keysOn } = await setUp(dialect);
    const here = keysOn();
    const there = keysOn(50);
    const asleep = keysOn();
    await Promise.all([here.start(), there.start(), asleep.start()]);
    asleep.stop();
    expect(here.candidates({ typed: ['pennington'] }, south, 10)).toEqual([]);

    const [rob] = await Promise.all([publish(db, cast.find((r) => r.externalRef === 'S-ROB')!, 0), publish(db, cast[1]!, 1)]);
    await sync.drain();
    await here.refresh();
    expect(ids(here.candidates({ typed: ['pennington'] }, south, 10))).toEqual(['S-ROB']);
    await expect
      .poll(() => ids(there.candidates({ typed: ['pennington'] }, south, 10)), { timeout: 2000, interval: 20 })
      .toEqual(['S-ROB']);

    await withdrawn(db, rob);
    await sync.drain();
    await here.refresh();
    expect(here.candidates({ typed: ['pennington'] }, south, 10)).toEqual([]);
    expect(here.frequency('pennington')).toBe(0);
    await expect.poll(() => there.candidates({ typed: ['pennington'] }, south, 10), { timeout: 2000, interval: 20 }).toEqual([]);
    expect(here.size()).toBe(1);

    // Entries the sleeping node never read are pruned (every cursor passed them): it loads everything again.
    await publish(db, cast[2]!, 2);
    await sync.drain();
    expect(await sync.prune()).toBeGreaterThan(0);
    await Promise.all([asleep.refresh(), here.refresh()]);
    expect(ids(asleep.candidates({ typed: [] }, { owners: ['southbank-mh', 'northgate-mh'] }, 100)).sort()).toEqual(
      ids(here.candidates({ typed: [] }, { owners: ['southbank-mh', 'northgate-mh'] }, 100)).sort(),
    );
    expect(asleep.size()).toBe(2);
  });
});
