import type { z } from 'zod';
import type { Field, Item, Rows, Section } from '../../../ui/pages/manage/spec.js';

/**
 * Form posts ↔ the plan record, driven by the section specs (ui/pages/manage/spec.ts). A page's form
 * values are a flat map of strings, exactly what was typed, so a refused save shows everything again.
 */
export type FormValues = Record<string, string>;
export type FieldError = { field: string; anchor: string; message: string };

type Obj = Record<string, unknown>;
const MAX_ROWS = 20;

function get(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Obj)[k] : undefined), obj);
}

function set(obj: Obj, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (!o[k] || typeof o[k] !== 'object') o[k] = {};
    o = o[k] as Obj;
  }
  const last = keys.at(-1)!;
  if (value === undefined) delete o[last];
  else o[last] = value;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

function fieldValues(field: Field, name: string, value: unknown, out: FormValues) {
  if (field.kind === 'date') {
    const [y = '', m = '', d = ''] = typeof value === 'string' ? value.split('-') : [];
    out[`${name}.day`] = d.replace(/^0/, '');
    out[`${name}.month`] = m.replace(/^0/, '');
    out[`${name}.year`] = y;
  } else if (field.kind === 'checkbox') out[name] = value === true ? 'yes' : '';
  else if (field.kind === 'lines') out[name] = Array.isArray(value) ? value.join('\n') : '';
  else out[name] = str(value);
}

/** A stored record as the section's form values. */
export function valuesOf(section: Section, record: unknown): FormValues {
  const out: FormValues = {};
  for (const item of section.items) {
    if (item.kind === 'rows') {
      const rows = (get(record, item.name) as unknown[] | undefined) ?? [];
      rows.forEach((row, i) => item.fields.forEach((f) => fieldValues(f, `${item.name}.${i}.${f.name}`, get(row, f.name), out)));
      out[`${item.name}.count`] = String(rows.length);
    } else fieldValues(item, item.name, get(record, item.name), out);
  }
  return out;
}

const namesOf = (item: Item): string[] => (item.kind === 'date' ? ['day', 'month', 'year'].map((p) => `${item.name}.${p}`) : [item.name]);

export function rowCount(values: FormValues, rows: Rows): number {
  const n = Number(values[`${rows.name}.count`] ?? 0);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, MAX_ROWS) : 0;
}

/** Only this section's fields from a post, as typed (strings; a field not sent is empty, as a browser sends an unticked box). */
export function readPost(section: Section, body: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  const take = (name: string) => {
    const v = body[name];
    out[name] = typeof v === 'string' ? v : '';
  };
  for (const item of section.items) {
    if (item.kind !== 'rows') {
      namesOf(item).forEach(take);
      continue;
    }
    take(`${item.name}.count`);
    const n = rowCount(out, item);
    for (let i = 0; i < n; i++) for (const f of item.fields) namesOf({ ...f, name: `${item.name}.${i}.${f.name}` }).forEach(take);
  }
  return out;
}

/** One more empty row, or one row fewer: the "add another" and "remove" buttons, which work without scripts. */
export function addRow(values: FormValues, rows: Rows): FormValues {
  return { ...values, [`${rows.name}.count`]: String(Math.min(rowCount(values, rows) + 1, MAX_ROWS)) };
}

export function removeRow(values: FormValues, rows: Rows, index: number): FormValues {
  const n = rowCount(values, rows);
  if (index < 0 || index >= n) return values;
  const out: FormValues = { ...values };
  const prefix = (i: number) => `${rows.name}.${i}.`;
  for (let i = index; i < n; i++) {
    for (const key of Object.keys(values).filter((k) => k.startsWith(prefix(i)))) delete out[key];
    for (const [key, v] of Object.entries(values).filter(([k]) => k.startsWith(prefix(i + 1))))
      out[prefix(i) + key.slice(prefix(i + 1).length)] = v;
  }
  out[`${rows.name}.count`] = String(n - 1);
  return out;
}

const blank = (s: string | undefined) => !s || s.trim() === '';

function parseField(field: Field, name: string, values: FormValues): unknown {
  const v = values[name];
  switch (field.kind) {
    case 'checkbox':
      return v === 'yes';
    case 'lines':
      return (v ?? '')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);
    case 'number':
      return blank(v) ? undefined : Number.isFinite(Number(v)) ? Number(v) : v;
    case 'date': {
      const [d, m, y] = ['day', 'month', 'year'].map((p) => (values[`${name}.${p}`] ?? '').trim());
      if (!d && !m && !y) return undefined;
      const pad = (s: string) => (/^\d$/.test(s) ? `0${s}` : s);
      return `${y}-${pad(m!)}-${pad(d!)}`;
    }
    default:
      return blank(v) ? undefined : v;
  }
}

/** The record with this section's fields replaced by what was typed; rows left wholly empty are dropped. */
export function applySection(section: Section, values: FormValues, record: Obj): Obj {
  const next = structuredClone(record);
  for (const item of section.items) {
    if (item.kind !== 'rows') {
      set(next, item.name, parseField(item, item.name, values));
      continue;
    }
    const rows: Obj[] = [];
    for (let i = 0; i < rowCount(values, item); i++) {
      const row: Obj = {};
      let typed = false;
      for (const f of item.fields) {
        const value = parseField(f, `${item.name}.${i}.${f.name}`, values);
        if (value !== undefined && value !== false) typed = true;
        if (value !== undefined) row[f.name] = value;
      }
      if (typed) rows.push(row);
    }
    set(next, item.name, rows);
  }
  return next;
}

/** Where each field's error points: a date's day box, any other field itself. */
function anchorOf(section: Section, path: string): string | undefined {
  for (const item of section.items) {
    if (item.kind === 'rows') {
      const f = item.fields.find((x) => new RegExp(`^${item.name.replace(/\./g, '\\.')}\\.\\d+\\.${x.name}$`).test(path));
      if (f) return f.kind === 'date' ? `${path}.day` : path;
      if (path === item.name) return `${item.name}.add`;
    } else if (item.name === path) return item.kind === 'date' ? `${path}.day` : path;
  }
  return undefined;
}

const labelOf = (section: Section, path: string): string => {
  for (const item of section.items) {
    if (item.kind === 'rows') {
      const m = path.match(/\.(\d+)\.([A-Za-z]+)$/);
      const f = m && path.startsWith(`${item.name}.`) ? item.fields.find((x) => x.name === m[2]) : undefined;
      if (f) return `${item.label}, ${item.item} ${Number(m![1]) + 1}: ${f.label}`;
      if (path === item.name) return item.label;
    } else if (item.name === path) return item.label;
  }
  return path;
};

/** zod's wording ("Too small: expected string to have >=1 characters") in plain words, naming the field. */
function plain(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_small') return 'must be filled in';
  if (issue.code === 'too_big') return `must be at most ${String((issue as { maximum?: number }).maximum)} characters`;
  if (issue.code === 'invalid_type') return issue.expected === 'number' ? 'must be a number' : 'must be filled in';
  if (issue.code === 'invalid_value') return 'must be chosen from the list';
  if (issue.code === 'invalid_format' && (issue as { format?: string }).format === 'date') return 'must be a real date';
  return issue.message;
}

/** Each issue against a field of this section; any other issue is reported against the section as a whole. */
export function fieldErrors(section: Section, issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const firstAnchor = (() => {
    const i = section.items[0]!;
    return i.kind === 'rows' ? `${i.name}.add` : i.kind === 'date' ? `${i.name}.day` : i.name;
  })();
  return issues.map((issue) => {
    const path = issue.path.join('.');
    const anchor = anchorOf(section, path);
    return anchor
      ? { field: path, anchor, message: `${labelOf(section, path)} ${plain(issue)}` }
      : { field: path, anchor: firstAnchor, message: `${path}: ${plain(issue)} (this is in another section)` };
  });
}
