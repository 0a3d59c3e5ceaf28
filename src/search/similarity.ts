// Which letters matched, kept between calls (a search compares hundreds of word pairs).
let hits = new Uint8Array(64);

/** Jaro-Winkler similarity in [0, 1]: forgiving of the transpositions and slips of a misheard name. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (!la || !lb) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  if (hits.length < la + lb) hits = new Uint8Array(2 * (la + lb));
  const aHit = hits.subarray(0, la).fill(0);
  const bHit = hits.subarray(la, la + lb).fill(0);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (!bHit[j] && a[i] === b[j]) {
        aHit[i] = bHit[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (!matches) return 0;
  let t = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (!aHit[i]) continue;
    while (!bHit[k]) k++;
    if (a[i] !== b[k]) t++;
    k++;
  }
  const jaro = (matches / la + matches / lb + (matches - t / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

// Three rows of the table, kept between calls (a search compares hundreds of word pairs).
let rows: [number[], number[], number[]] = [[], [], []];

/** Optimal-string-alignment edit distance (a swap of neighbours is one edit), capped for speed. */
export function editDistance(a: string, b: string, cap = 3): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let [before, prev, cur] = rows;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, before[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // Every path goes through this row: past the cap here, past it at the end.
    if (rowMin > cap) {
      rows = [before, prev, cur];
      return cap + 1;
    }
    [before, prev, cur] = [prev, cur, before];
  }
  rows = [before, prev, cur];
  return prev[b.length]!;
}
