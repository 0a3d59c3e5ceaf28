/**
 * A strict parser for the Prometheus text exposition format (0.0.4), for tests: every line is a HELP or
 * TYPE comment or a sample; every sample belongs to a family whose TYPE came first; names, label syntax
 * and escapes, and numbers are checked; histogram buckets are cumulative and end at +Inf == _count.
 * Throws on the first violation, naming the line.
 */
export type Sample = { name: string; labels: Record<string, string>; value: number };
export type Family = { name: string; type: string; help: string; samples: Sample[] };

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\[\\"n]|[^"\\\n])*)"(,|$)/;
const NUMBER = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf)$/;

function parseLabels(raw: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = raw;
  while (rest.length) {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`bad labels in: ${line}`);
    if (m[1]! in labels) throw new Error(`duplicate label ${m[1]} in: ${line}`);
    labels[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    rest = rest.slice(m[0].length);
  }
  return labels;
}

const suffixes = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count', ''],
  counter: [''],
  gauge: [''],
  untyped: [''],
} as const;

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
      if (!m) throw new Error(`bad comment: ${line}`);
      const f = families.get(m[2]!) ?? { name: m[2]!, type: '', help: '', samples: [] };
      if (m[1] === 'TYPE') {
        if (!(m[3]! in suffixes)) throw new Error(`bad type: ${line}`);
        if (f.type) throw new Error(`second TYPE: ${line}`);
        f.type = m[3]!;
      } else f.help = m[3]!;
      families.set(f.name, f);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m || !NUMBER.test(m[3]!)) throw new Error(`bad sample: ${line}`);
    const family = [...families.values()].find(
      (f) => f.type && suffixes[f.type as keyof typeof suffixes].some((s) => `${f.name}${s}` === m[1]),
    );
    if (!family) throw new Error(`sample before its TYPE: ${line}`);
    family.samples.push({ name: m[1]!, labels: parseLabels(m[2] ?? '', line), value: Number(m[3]) });
  }
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f: Family) {
  const series = new Map<string, Sample[]>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name.endsWith('_bucket'));
    const count = samples.find((s) => s.name.endsWith('_count'))?.value;
    for (let i = 1; i < buckets.length; i++)
      if (buckets[i]!.value < buckets[i - 1]!.value) throw new Error(`${f.name}${key}: buckets not cumulative`);
    if (buckets.at(-1)?.labels.le !== '+Inf' || buckets.at(-1)!.value !== count)
      throw new Error(`${f.name}${key}: +Inf bucket must equal _count`);
  }
}

/** The value of one sample: exact name and labels (a subset match). */
export function sampleValue(
  families: Map<string, Family>,
  family: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return families.get(family)?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
