/**
 * Name folding shared by the index, the fallback and the re-ranker, so a name is reduced the same way
 * wherever it is compared: case, accents and punctuation folded (Wiśniewski = Wisniewski,
 * O'Brien = OBrien = O Brien), hyphenated and apostrophe surnames split into their parts as well.
 */

/** Letters NFKD does not decompose into a base letter plus a mark. */
const SPECIAL: Record<string, string> = {
  ł: 'l',
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ŋ: 'n',
  ħ: 'h',
  ƒ: 'f',
};

/** Lower case, accents stripped, anything not a letter or digit removed (apostrophes join, others split). */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[łøæœßđðþıŋħƒ]/g, (c) => SPECIAL[c] ?? c)
    .replace(/['’‘`´]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export const words = (text: string): string[] => {
  const f = fold(text);
  return f ? f.split(' ') : [];
};

/** Short surname particles people say as a separate word ("O Brien", "Mc Donald", "De Souza"). */
const PARTICLES = new Set(['o', 'mc', 'mac', 'de', 'da', 'di', 'du', 'van', 'von', 'al', 'el', 'le', 'la', 'st', 'ap', 'ni', 'nic']);

/**
 * Every word a name should be findable by: its folded words, each hyphen part, the apostrophe part
 * without its particle (O'Brien → obrien, brien), and the whole hyphenated name joined.
 */
export function nameKeys(name: string): string[] {
  const out = new Set<string>();
  // "Van der Berg" is also typed "Vanderberg", "De Silva" as "DeSilva", and so is the same part of a
  // double-barrelled name ("Jones-Van der Berg").
  for (const whole of [name, ...name.split(/[-‐‑–]/)]) {
    const pieces = whole.trim().split(/\s+/);
    if (pieces.length > 1 && pieces.length <= 3) out.add(pieces.flatMap(words).join(''));
  }
  for (const piece of name.split(/\s+/)) {
    const joined = words(piece).join('');
    if (!joined) continue;
    out.add(joined);
    for (const part of piece.split(/[-‐‑–]/)) {
      const w = words(part.replace(/['’‘`´]/g, ' '));
      if (w.length > 1 && PARTICLES.has(w[0]!)) out.add(w.slice(1).join(''));
      const whole = w.join('');
      if (whole) out.add(whole);
      for (const x of w) if (x.length > 1) out.add(x);
    }
  }
  return [...out];
}

/**
 * A query's words: folded, with a particle glued to the word after it as well ("o brien" → obrien)
 * and hyphen/apostrophe parts split like the index does.
 */
export function queryWords(q: string): string[] {
  const raw = q.split(/\s+/).flatMap((piece) => nameKeys(piece));
  const ordered = [...new Set(raw)];
  const w = words(q);
  for (let i = 0; i + 1 < w.length; i++) {
    if (PARTICLES.has(w[i]!)) ordered.push(w[i]! + w[i + 1]!);
  }
  return [...new Set(ordered)].filter((x) => !(PARTICLES.has(x) && ordered.length > 1));
}
