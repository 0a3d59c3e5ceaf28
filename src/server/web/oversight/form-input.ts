import type { Context } from 'hono';
import type { DateValue, FieldError } from '../../../ui/components/forms.js';
import type { AppServices } from '../../context.js';
import { pageHeaders } from '../shared.js';
import type { JSX } from 'hono/jsx/jsx-runtime';

/** Turning form fields into the domain's shapes, and its refusals back into field errors. */

export const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

export const dateValue = (get: (name: string) => string, id: string): DateValue => ({
  day: get(`${id}-day`).slice(0, 4),
  month: get(`${id}-month`).slice(0, 4),
  year: get(`${id}-year`).slice(0, 6),
});

/** Three fields → YYYY-MM-DD; all empty → undefined; anything else → an error naming the field. */
export function isoFromDate(v: DateValue, id: string, label: string): { day?: string; error?: FieldError } {
  if (!v.day && !v.month && !v.year) return {};
  const [d, m, y] = [v.day, v.month, v.year].map((s) => (/^\d+$/.test(s) ? Number(s) : NaN)) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (v.year?.length !== 4 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return { error: { field: `${id}-day`, message: `${label} must be a real date, for example 27 3 2026` } };
  }
  return { day: date.toISOString().slice(0, 10) };
}

/** zod issues → field errors, `fieldOf` naming the form field for a schema path. */
/**
 * zod's own words ("Too small: expected string to have >=1 characters", "Invalid input: expected string,
 * received undefined") say nothing to a person at a form: an empty or missing field is "enter …".
 */
function sayWhat(issue: { code?: string; message: string; minimum?: unknown; input?: unknown }, label: string): string {
  const missing = issue.code === 'invalid_type' && (issue.input === undefined || issue.input === '');
  const empty =
    issue.code === 'too_small' &&
    issue.minimum === 1 &&
    (issue.input === '' || issue.input === undefined || typeof issue.input === 'string');
  return missing || empty ? `enter the ${label.toLowerCase()}` : issue.message;
}

export function issuesToErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; minimum?: unknown; input?: unknown }[],
  fieldOf: (path: string) => string,
  label: (field: string) => string,
): FieldError[] {
  return issues.map((i) => {
    const field = fieldOf(String(i.path[0] ?? ''));
    return { field, message: `${label(field)}: ${sayWhat(i, label(field))}` };
  });
}

/** page() of shared.ts with any 4xx status (409 for a conflict with the current state, too). */
export async function pageWith(c: Context, body: JSX.Element, status: number) {
  return c.html(`<!doctype html>${await body}`, status as 200, pageHeaders);
}

export const failureStatus = (code: string) =>
  ({ invalid: 400, forbidden: 403, not_found: 404, conflict: 409, unavailable: 503 })[code] ?? 400;

/** Admin and auditor pages speak to the same people; their sessions carry the actor. */
export const today = (services: AppServices) => services.clock().toISOString().slice(0, 10);
