import type { Context, MiddlewareHandler } from 'hono';
import { isoDay } from '../../plans/core/clock.js';
import { placeSuggestions, resolvePlace, withinChoices } from '../../search/places.js';
import { DEFAULT_WITHIN_M, searchQuerySchema } from '../../search/query.js';
import { canSearch } from '../../plans/policy.js';
import { agreementQueries } from '../../plans/organisations.js';
import { parseAge, parseDob } from './dob.js';
import {
  SearchNotForYouPage,
  SearchPage,
  SearchRateLimitedPage,
  SearchUnavailablePage,
  type FieldName,
  type SearchForm,
  type SearchView,
} from '../../ui/pages/search.js';
import type { AccessNote } from '../access-trail/note.js';
import { eventFor } from '../access-trail/trail.js';
import type { AppServices, WebEnv } from '../context.js';
import { zodFieldErrors } from '../errors.js';
import { admitSearch } from '../guards/search-admission.js';
import { here, homeOf, page, pageTrail, purposeUrl, requireSignedIn, requireWebPurpose, web, whoOf } from './shared.js';

/**
 * `/`: the responder's search page. A GET form, so it works without scripts and the back button returns
 * to the results. Each submitted search writes one access event (action `search`, channel `web`, the
 * query and every returned plan id) before the page is sent, as the API's search does; refusals (no
 * purpose, wrong role, bad input) are logged as denied. The bare form logs nothing: nothing was searched.
 */
const fields: readonly FieldName[] = ['q', 'dob', 'near', 'within'];

const submitted = (c: Context) => fields.some((f) => c.req.query(f) !== undefined);

function formOf(c: Context): SearchForm {
  const get = (f: FieldName) => (c.req.query(f) ?? '').trim();
  return { q: get('q'), dob: get('dob'), near: get('near'), within: get('within') };
}

/** What was typed, for a refusal's log entry: only non-empty fields, each capped like the API's q. */
const typed = (form: SearchForm) =>
  Object.fromEntries(
    Object.entries(form)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => [k, v.slice(0, 200)]),
  );

/** People shown on one page; one more is asked for, to know whether to say "more than 10". */
const PAGE_SIZE = 10;
/** With an age instead of a date, the search runs without a date and keeps people of about that age. */
const AGE_POOL = 50;

/** The form → the API's query shape: empty fields dropped; a radius only counts with a place. */
const queryOf = (form: SearchForm, dob: string | undefined, near: string | undefined, limit: number) => ({
  q: form.q,
  dob,
  near,
  within: near && form.within ? form.within : undefined,
  limit,
});

const UNKNOWN_PLACE = 'Near a place: choose a place from the list, or type a postcode such as SE1 7PB.';

const labels: Record<FieldName, string> = { q: 'Name, alias or place', dob: 'Date of birth', near: 'Near a place', within: 'Within' };

function formErrors(issues: { path: string; message: string; custom: boolean }[]) {
  return issues.map(({ path, message, custom }) => {
    const field = (fields as string[]).includes(path) ? (path as FieldName) : 'q';
    // The "give something to search for" rule speaks API; say it in the form's words.
    if (field === 'q' && custom) return { field, message: 'Type a name, alias or place, or give a date of birth, or choose a place.' };
    // The schema's messages read as predicates ("must be YYYY…", "is not a real date").
    const joined = /^(must|is) /.test(message) ? `${labels[field]} ${message}` : `${labels[field]}: ${message}`;
    return { field, message: `${joined}.` };
  });
}

/** A refused search's note: what was typed, as typed. */
const refused = (c: Context<WebEnv>, reason: string): AccessNote => ({ planId: null, query: typed(formOf(c)), outcome: 'denied', reason });

/** Auditors and administrators get a polite page, not a purpose prompt for something they cannot do. */
const searchersOnly: MiddlewareHandler<WebEnv> = async (c, next) => {
  if (canSearch(c.var.actor!)) return next();
  // Signing in lands on `/`: auditors and administrators go on to their own console.
  const home = homeOf(c.var.actor!);
  if (!submitted(c) && home !== '/') return c.redirect(home, 303);
  if (submitted(c)) c.set('access', refused(c, 'forbidden'));
  return page(c, <SearchNotForYouPage who={whoOf(c)} />, submitted(c) ? 403 : 200);
};

/** The per-person limit, shared with the API: repeats within a window go into one summary event. */
const searchLimit =
  (s: AppServices): MiddlewareHandler<WebEnv> =>
  async (c, next) => {
    if (!submitted(c)) return next();
    const actor = c.var.actor!;
    const client = `actor:${actor.org}/${actor.sub}`;
    const wait = await s.searchGuard.attempt(client);
    if (wait === undefined) return next();
    // Nothing is searched: a script's flood of refusals must not hold the slots responders' searches need.
    c.var.searchSlot?.();
    await s.refusals.refuse({ client, reason: 'rate-limited', event: eventFor(c, 'search', 'web', refused(c, 'rate-limited')) });
    return page(c, <SearchRateLimitedPage who={whoOf(c)} retryAfter={wait} />, 429, { 'Retry-After': String(wait) });
  };

/** What every search page shows around the form: who, the purpose, and the place choices. */
const pageFrame = (c: Context<WebEnv>) => ({
  who: whoOf(c),
  purpose: c.var.purpose!,
  changePurposeHref: purposeUrl(here(c)),
  here: here(c),
  placeSuggestions,
  withinChoices,
  defaultWithin: DEFAULT_WITHIN_M,
});

/**
 * The node is running as many searches as it can: a 503 page at once, the form as typed, nothing searched
 * and nothing logged (as the API's; guards/search-admission.ts). After the purpose check, so the page can
 * show it; the bare form is never shed, since nothing is searched.
 */
const busy = (s: AppServices) =>
  admitSearch<WebEnv>(
    s.searchAdmission,
    'web',
    (c) => page(c, <SearchPage {...pageFrame(c)} form={formOf(c)} view={{ kind: 'busy' }} />, 503),
    submitted,
  );

/**
 * GET / — the search page. Each submitted search is one access event (the query and every plan it
 * returned), refusals included; if the log cannot take it, nothing from the search is shown.
 */
export const searchPage = (s: AppServices) => {
  const agreements = agreementQueries(s.db);
  /** A responder organisation with no partner today sees nothing: say so rather than "check the spelling". */
  const withoutAgreement = async (org: string, orgKind: string, day: string) =>
    orgKind !== 'mental-health' && (await agreements.visibleOwners(org, day)).length === 1
      ? ((await agreements.organisation(org))?.name ?? org)
      : undefined;
  return web.createHandlers(
    requireSignedIn,
    pageTrail(s, 'search', 'web', (c) => page(c, <SearchUnavailablePage who={whoOf(c)} />, 503)),
    searchersOnly,
    requireWebPurpose(s, undefined, (c) => {
      if (submitted(c)) c.set('access', refused(c, 'purpose-required'));
    }),
    busy(s),
    searchLimit(s),
    async (c) => {
      const form = formOf(c);
      const actor = c.var.actor!;
      const day = isoDay(s.clock());
      const dob = parseDob(form.dob, day);
      // A date that cannot be read never stops the search: an age is read as one, anything else is left
      // out and said so beside the field.
      const age = dob.ok ? undefined : parseAge(form.dob);
      const dobIgnored = !dob.ok && !age ? dob.detail : undefined;
      const place = form.near ? resolvePlace(form.near) : undefined;
      const noAgreement = await withoutAgreement(actor.org, actor.orgKind, day);
      const show = (view: SearchView, status: 200 | 400 = 200) =>
        page(
          c,
          <SearchPage
            {...pageFrame(c)}
            noAgreement={noAgreement}
            dobRead={dob.ok ? dob.value : undefined}
            ageRead={age}
            placeRead={place?.label}
            form={form}
            view={view}
          />,
          status,
        );
      if (!submitted(c)) return show({ kind: 'form' });

      if (form.near && !place) {
        c.set('access', refused(c, 'invalid'));
        return show({ kind: 'invalid', errors: [{ field: 'near', message: UNKNOWN_PLACE }] }, 400);
      }
      if (dobIgnored && !form.q && !place) {
        c.set('access', refused(c, 'invalid'));
        return show({ kind: 'invalid', errors: [{ field: 'dob', message: dobIgnored }] }, 400);
      }
      const limit = age ? AGE_POOL : PAGE_SIZE + 1;
      const parsed = searchQuerySchema.safeParse(queryOf(form, dob.ok ? dob.value : undefined, place?.near, limit));
      if (!parsed.success) {
        const custom = new Set(parsed.error.issues.filter((i) => i.code === 'custom').map((i) => i.path.join('.')));
        const errors = formErrors(zodFieldErrors(parsed.error).map((e) => ({ ...e, custom: custom.has(e.path) })));
        c.set('access', refused(c, 'invalid'));
        return show({ kind: 'invalid', errors }, 400);
      }
      const query = parsed.data;
      // Should the search itself throw, this is what the trail records.
      c.set('access', { planId: null, query, outcome: 'denied', reason: 'internal' });
      const outcome = await s.search.search(actor, query, day);
      c.var.searchSlot?.();
      if (!outcome.ok) {
        c.set('access', { planId: null, query, outcome: 'denied', reason: outcome.code });
        return page(c, <SearchNotForYouPage who={whoOf(c)} />, 403);
      }
      const { degraded } = outcome.value;
      const matching = age ? outcome.value.results.filter((r) => r.age >= age.youngest && r.age <= age.oldest) : outcome.value.results;
      const results = matching.slice(0, PAGE_SIZE);
      // The log lists the people this page showed (the extra one asked for was never shown).
      c.set('access', { planId: null, query, resultPlanIds: results.map((r) => r.planId), outcome: 'allowed' });
      return show({ kind: 'results', results, degraded, limit: PAGE_SIZE, more: matching.length > PAGE_SIZE, dobIgnored });
    },
  );
};
