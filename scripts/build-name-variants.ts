/**
 * `tsx scripts/build-name-variants.ts --db <namor_data>/db/names.db --commit <sha> [--out FILE]`
 *
 * Writes src/search/data/wiktionary-names.csv: English given-name diminutives and spelling variants
 * taken from the public repository DLu/namor_data, whose names.db is a machine-read copy of English
 * Wiktionary's given-name entries (the `given name` template's "diminutive of", "variant of" and
 * "equivalent to"). Run by hand when the source is updated, never at run time: the service reads only
 * the CSV this writes, so what search does is reviewable in one diff.
 *
 * What is kept, and why (search precision suffers from every link that joins two different names):
 * - both names tagged English: Wiktionary also links Cornish, Manx or Tagalog forms that nobody in a
 *   UK service would type for an English name;
 * - diminutives ("is short for") and variants ("is a variant of"); namor_data's gender flags are the
 *   union over every language a name is used in (Joan: male and female), so they cannot tell a
 *   feminine form from a variant, and the hand list below does that instead;
 * - not "is equivalent to": it is mostly translations (Carlos = Charles, Alain = Alan) and cognates
 *   (Evan = John, Joan = John) that would make two different people's names one, and the few spellings
 *   among them (Elisabeth, Frederic) are found by the typo and sound-alike matching anyway;
 * - a short list below of links that Wiktionary records but that, in use, are different names.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { fold } from '../src/search/normalise.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    commit: { type: 'string' },
    out: { type: 'string', default: path.join('src', 'search', 'data', 'wiktionary-names.csv') },
    date: { type: 'string', default: new Date().toISOString().slice(0, 10) },
  },
});
if (!values.db || !values.commit || !/^[0-9a-f]{40}$/.test(values.commit)) {
  console.error('usage: tsx scripts/build-name-variants.ts --db <namor_data>/db/names.db --commit <40-hex sha of that checkout>');
  process.exit(2);
}

/** namor_data's Relationship enum (wiktionary/__init__.py). */
const IS_SHORT_FOR = 1;
const IS_A_VARIANT_OF = 3;

/**
 * Recorded by Wiktionary, but different names in use (a feminine and a masculine form, two names that
 * only share a root, a surname): linking them would rank one person for the other's name. Checked by
 * hand against the generated list; folded, either order. Also words no responder should be shown as
 * a reason ("nickname: Titty → Letitia").
 */
const DISTINCT: readonly [string, string][] = [
  // different names, or a feminine and a masculine one
  ['brandon', 'brendan'],
  ['brendan', 'brennan'],
  ['bianca', 'blanche'],
  ['adam', 'adi'],
  ['ellis', 'alice'],
  ['christina', 'kristin'],
  ['kristine', 'kirsten'],
  ['claudia', 'claude'],
  ['gillian', 'julian'],
  ['rhian', 'ryan'],
  ['jessie', 'jesse'],
  ['kai', 'kay'],
  ['mary', 'maura'],
  ['muriel', 'meryl'],
  ['merlin', 'marlin'],
  ['orpah', 'oprah'],
  ['andreas', 'andre'],
  ['andres', 'andre'],
  ['ludwig', 'louis'],
  ['luis', 'ludwig'],
  ['mark', 'marcion'],
  ['marc', 'marcion'],
  ['marcus', 'marcion'],
  ['muhammad', 'mehmed'],
  ['muhammad', 'mehmet'],
  ['sigrid', 'siri'],
  ['georgia', 'george'],
  ['georgina', 'george'],
  ['stephanie', 'steve'],
  ['michaela', 'mike'],
  ['rachel', 'ray'],
  ['alexander', 'elsie'],
  ['christina', 'kia'],
  ['kristina', 'kia'],
  ['chanel', 'nellie'],
  ['sandeep', 'sandie'],
  ['cole', 'nicholas'],
  ['don', 'gordon'],
  ['dina', 'claudia'],
  ['dina', 'alfreda'],
  ['abbey', 'albert'],
  ['abby', 'albert'],
  // Gill is a common family name: William and Julian are not called it
  ['william', 'gill'],
  ['julian', 'gill'],
  // not shown as a reason
  ['richard', 'dickboy'],
  ['letitia', 'titty'],
  ['richard', 'hick'],
];
const distinct = new Set(DISTINCT.flatMap(([a, b]) => [`${a}|${b}`, `${b}|${a}`]));

type Row = { a: string; rel: number; b: string; la: string | null; lb: string | null };
const db = new Database(values.db, { readonly: true, fileMustExist: true });
const rows = db
  .prepare<[], Row>(
    `SELECT a.name AS a, r.relationship AS rel, b.name AS b,
       (SELECT group_concat(language) FROM languages WHERE name_id = a.id) AS la,
       (SELECT group_concat(language) FROM languages WHERE name_id = b.id) AS lb
     FROM relationships r JOIN names a ON a.id = r.name_id JOIN names b ON b.id = r.name_id2`,
  )
  .all();
db.close();

const english = (langs: string | null) => (langs ?? '').split(',').includes('en');
/** One name word of Latin letters: Wiktionary's entries include phrases and other scripts. */
const single = (raw: string, folded: string) => /^[a-z]{2,}$/.test(folded) && !/\s/.test(raw.trim());

const kept = new Map<string, string>();
const dropped = { language: 0, form: 0, equivalent: 0, distinct: 0 };
for (const r of rows) {
  const a = fold(r.a);
  const b = fold(r.b);
  if (a === b) continue;
  if (!english(r.la) || !english(r.lb)) {
    dropped.language++;
    continue;
  }
  if (!single(r.a, a) || !single(r.b, b)) {
    dropped.form++;
    continue;
  }
  if (distinct.has(`${a}|${b}`)) {
    dropped.distinct++;
    continue;
  }
  if (r.rel !== IS_SHORT_FOR && r.rel !== IS_A_VARIANT_OF) {
    dropped.equivalent++;
    continue;
  }
  const line = r.rel === IS_SHORT_FOR ? `${b},has_nickname,${a}` : `${b},has_variant,${a}`;
  // One line per pair whichever way Wiktionary recorded it; a nickname link wins over a variant one.
  const key = [a, b].sort().join('|');
  const prev = kept.get(key);
  if (!prev || (prev.includes('has_variant') && line.includes('has_nickname'))) kept.set(key, line);
}

const seen = new Set<string>();
for (const r of rows) seen.add(`${fold(r.a)}|${fold(r.b)}`).add(`${fold(r.b)}|${fold(r.a)}`);
const stale = DISTINCT.filter(([a, b]) => !seen.has(`${a}|${b}`));
if (stale.length) console.warn(`not in the source any more (remove from DISTINCT): ${stale.map((p) => p.join('/')).join(', ')}`);
const lines = [...kept.values()].sort();
const header = [
  '# English given-name diminutives and spelling variants from English Wiktionary, as machine-read by the',
  `# public repository DLu/namor_data, commit ${values.commit} (db/names.db).`,
  '# Licence: namor_data is BSD-3-Clause (see wiktionary-names.LICENSE.txt); the facts it holds come from',
  '# Wiktionary, whose text is CC BY-SA 4.0: attribution to the Wiktionary contributors, and this file is',
  '# shared under the same terms. Generated by scripts/build-name-variants.ts (filters and reasons there)',
  `# on ${values.date}; do not edit by hand: add to variants.ts instead.`,
  'name1,relationship,name2',
];
fs.writeFileSync(values.out!, `${[...header, ...lines].join('\n')}\n`);
console.log(`${values.out}: ${lines.length} links kept of ${rows.length}; dropped ${JSON.stringify(dropped)}`);
