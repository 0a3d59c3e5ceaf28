// Every value that enters an access event is put in the exact form SQLite will give back before it is
// hashed: a lone surrogate becomes U+FFFD on its way into UTF-8, a number bound to a TEXT column comes
// back as text, and an object cannot be bound at all. Hashing anything else breaks the chain forever.

// Lone surrogates (either half without its partner) and C0/C1 controls, DEL included.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const controls = /[\u0000-\u001f\u007f-\u009f]/g;
const suspect = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;

/** A string as it is stored: well-formed, no control characters, at most `max` code points. */
export function storedString(s: string, max: number): string {
  // The hot path: plain text within bounds (code units ≥ code points, so length ≤ max is enough).
  if (s.length <= max && !suspect.test(s)) return s;
  const clean = s.replace(loneSurrogate, '\uFFFD').replace(controls, ' ');
  if (clean.length <= max) return clean;
  // Cut on code points, so a surrogate pair is never split into a new lone half.
  let out = '';
  let n = 0;
  for (const cp of clean) {
    if (n++ === max) break;
    out += cp;
  }
  return out;
}

/** Any value as stored text (`null` for none): a claim that should be a string may be anything. */
export function storedText(value: unknown, max: number): string | null {
  if (value == null) return null;
  if (typeof value === 'string') return storedString(value, max);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return storedString(String(value), max);
  return storedString(safeJson(value) ?? '[unprintable]', max);
}

/** An integer column's value: anything but a safe integer is no value. */
export const storedInteger = (value: unknown): number | null => (Number.isSafeInteger(value) ? (value as number) : null);

// Entries counts every value in the whole document, so the stored text stays bounded (~1 MB at most).
const LIMITS = { depth: 4, entries: 2000, string: 500, key: 100 };

/**
 * JSON-ish data (query terms, result ids) with every key and string normalised before it is serialised,
 * so the JSON text hashed is the JSON text stored and read back; too deep or too many entries are cut.
 */
export function storedJson(value: unknown): string | null {
  if (value === undefined) return null;
  return safeJson(normalise(value, 0, { left: LIMITS.entries })) ?? null;
}

function normalise(v: unknown, depth: number, budget: { left: number }): unknown {
  if (v == null) return null;
  if (typeof v === 'string') return storedString(v, LIMITS.string);
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return String(v);
  if (typeof v !== 'object' || depth >= LIMITS.depth) return null;
  try {
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const x of v) {
        if (budget.left-- <= 0) break;
        out.push(normalise(x, depth + 1, budget));
      }
      return out;
    }
    // No prototype: a key such as "__proto__" stays an ordinary key instead of vanishing.
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, x] of Object.entries(v)) {
      if (budget.left-- <= 0) break;
      out[storedString(k, LIMITS.key)] = normalise(x, depth + 1, budget);
    }
    return out;
  } catch {
    // A getter that throws, a proxy: the event is still written, without the unreadable part.
    return null;
  }
}

function safeJson(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}
