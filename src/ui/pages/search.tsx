import type { SearchResult } from '../../search/service.js';
import type { Who } from '../components/who.js';
import { readableDate } from '../dates.js';
import { Layout } from '../layout.js';

/**
 * The responder's search page: one form, then the people found, best first, with what tells them apart
 * and why each matched. Never plan content: the plan opens on its own page, which is logged per view.
 */

/** The form as the responder typed it, shown back unchanged. */
export type SearchForm = { q: string; dob: string; near: string; within: string };
export type FieldName = keyof SearchForm;

export type SearchView =
  | { kind: 'form' }
  | { kind: 'invalid'; errors: { field: FieldName; message: string }[] }
  /** This node was running as many searches as it could: nothing was searched; the form is kept to send again. */
  | { kind: 'busy' }
  | {
      kind: 'results';
      results: SearchResult[];
      degraded: boolean;
      limit: number;
      /** More people matched than are shown: say so at the top, not below the fold. */
      more: boolean;
      /** The date of birth could not be read, so the search ran without it (never refused for the date alone). */
      dobIgnored?: string;
    };

export type SearchPageProps = {
  who: Who;
  purpose: string;
  /** The purpose prompt, returning to this very search. */
  changePurposeHref: string;
  /** This search's own URL: where a plan's "Back to results" returns to. */
  here: string;
  form: SearchForm;
  view: SearchView;
  /** What the "near" field suggests: the gazetteer's places and postcode districts. */
  placeSuggestions: readonly string[];
  /** The place as the search read it ("Waterloo Bridge", "SE1 7PB"), for the one-line summary. */
  placeRead?: string;
  withinChoices: readonly number[];
  defaultWithin: number;
  /** The responder's organisation by name when it has no agreement in force today: nothing can be found. */
  noAgreement?: string;
  /** The date of birth as the search read it (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`), for the one-line summary. */
  dobRead?: string;
  /** An age typed instead of a date ("about 48"): people of that age, two years either side. */
  ageRead?: { age: number; youngest: number; oldest: number };
};
const metres = (m: number) => (m >= 1000 ? `${(m / 1000).toFixed(m % 1000 ? 1 : 0)} km` : `${m} m`);

function PurposeBanner(props: { purpose: string; href: string }) {
  return (
    <p class="purpose">
      <span>
        Purpose: <strong>{props.purpose}</strong>
      </span>{' '}
      <a href={props.href}>change</a>
    </p>
  );
}

const FieldError = (props: { view: SearchView; field: FieldName }) => {
  const { view } = props;
  const e =
    view.kind === 'invalid'
      ? view.errors.find((x) => x.field === props.field)
      : view.kind === 'results' && view.dobIgnored && props.field === 'dob'
        ? { message: view.dobIgnored }
        : undefined;
  return e ? (
    <p class="err" id={`${props.field}-error`}>
      {e.message}
    </p>
  ) : null;
};

function Form(props: SearchPageProps) {
  const { form, view } = props;
  const bad = new Set(
    view.kind === 'invalid' ? view.errors.map((e) => e.field) : view.kind === 'results' && view.dobIgnored ? ['dob'] : [],
  );
  // A refused field takes the focus, so it can be corrected at once. Otherwise the keyboard would cover
  // the results on a touch screen: focus the box only when there is nothing below it.
  const firstBad = view.kind === 'invalid' ? view.errors[0]?.field : bad.has('dob') ? 'dob' : undefined;
  const focus = firstBad ? firstBad === 'q' : view.kind !== 'results' || view.results.length === 0;
  const within = form.within || String(props.defaultWithin);
  return (
    <form method="get" action="/" role="search">
      <label for="q">Name, alias or place</label>
      <FieldError view={view} field="q" />
      <input
        id="q"
        type="search"
        name="q"
        value={form.q}
        maxlength={200}
        autocomplete="off"
        autocapitalize="words"
        spellcheck={false}
        autofocus={focus}
        aria-invalid={bad.has('q') || undefined}
      />
      <label for="dob">
        Date of birth <span class="hint">(optional)</span>
      </label>
      <FieldError view={view} field="dob" />
      <input
        id="dob"
        type="text"
        name="dob"
        value={form.dob}
        maxlength={24}
        autocomplete="off"
        autofocus={firstBad === 'dob'}
        aria-describedby={bad.has('dob') ? 'dob-error dob-hint' : 'dob-hint'}
        aria-invalid={bad.has('dob') || undefined}
      />
      <p id="dob-hint" class="hint">
        For example 23 Apr 1989, 23/04/1989, 1989, or an age: about 48.
      </p>
      <div class="row">
        <div>
          <label for="near">
            Near a place <span class="hint">(optional)</span>
          </label>
          <FieldError view={view} field="near" />
          <input
            id="near"
            type="text"
            name="near"
            value={form.near}
            maxlength={60}
            list="places"
            autocomplete="off"
            autocapitalize="words"
            spellcheck={false}
            autofocus={firstBad === 'near'}
            aria-describedby={bad.has('near') ? 'near-error near-hint' : 'near-hint'}
            aria-invalid={bad.has('near') || undefined}
          />
          <datalist id="places">
            {props.placeSuggestions.map((p) => (
              <option value={p} />
            ))}
          </datalist>
          <p id="near-hint" class="hint">
            A place such as Waterloo Bridge, or a postcode such as SE1 7PB.
          </p>
        </div>
        <div class="narrow">
          <label for="within">Within</label>
          <select id="within" name="within" aria-invalid={bad.has('within') || undefined}>
            {/* A radius from a shared link that is not one of the choices is kept, not silently changed. */}
            {[
              ...props.withinChoices,
              ...(/^\d+$/.test(within) && !props.withinChoices.includes(Number(within)) ? [Number(within)] : []),
            ].map((m) => (
              <option value={String(m)} selected={String(m) === within}>
                {metres(m)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <button type="submit">Search</button>
    </form>
  );
}

/**
 * One person, compact: name; born, age, home area, aliases; why it matched. Two or three lines, so
 * several fit on a car terminal's screen without scrolling.
 */
function Result(props: { r: SearchResult; backTo: string }) {
  const { r } = props;
  return (
    <li>
      <h2>
        <a href={`/plans/${encodeURIComponent(r.planId)}?back=${encodeURIComponent(props.backTo)}`}>
          {r.name}
          {r.preferredName ? <span class="pref"> ("{r.preferredName}")</span> : null}
        </a>
      </h2>
      <dl class="facts">
        <dt class="vh">Born</dt>
        <dd class="born">
          Born {readableDate(r.dateOfBirth)} · age {r.age}
        </dd>
        {r.homeArea ? (
          <>
            <dt>Home area</dt>
            <dd>{r.homeArea}</dd>
          </>
        ) : null}
        {r.aliases.length ? (
          <>
            <dt>Also known as</dt>
            <dd>{r.aliases.join(', ')}</dd>
          </>
        ) : null}
        {r.matchedLocation ? (
          <>
            <dt>Known at</dt>
            <dd>
              {r.matchedLocation.label} ({metres(r.matchedLocation.distanceM)} away)
            </dd>
          </>
        ) : null}
      </dl>
      {r.dateOfBirthSlip ? (
        <p class="slip">
          <strong>Not the date of birth given:</strong> {r.dateOfBirthSlip.says}
        </p>
      ) : null}
      {r.why.length ? <p class="why">Matched on: {r.why.join('; ')}</p> : null}
    </li>
  );
}

const NEXT_STEPS = (
  <ul>
    <li>Check the spelling, or try a nickname, an alias or just the surname.</li>
    <li>Add a date of birth (even just the year), or remove the place.</li>
    <li>Call your control room: they can check with the mental-health team.</li>
  </ul>
);

function Results(props: { view: Extract<SearchView, { kind: 'results' }>; form: SearchForm; backTo: string; noAgreement?: string }) {
  const { results, degraded, limit, more } = props.view;
  return (
    <section aria-labelledby="found">
      {degraded ? (
        <p class="notice slim" role="status">
          Search is running in reduced mode: some misspellings may not be found. Try another spelling, or call your control room.
        </p>
      ) : null}
      {results.length === 0 ? (
        <>
          <h1 id="found">No one found</h1>
          <p>
            No plan you can see matches
            {props.form.q ? <strong> "{props.form.q}"</strong> : null}
            {props.form.dob ? ` born ${props.form.dob}` : ''}
            {props.form.near ? ' near that place' : ''}. Only plans shared with your organisation are searched.
          </p>
          {props.noAgreement ? null : NEXT_STEPS}
        </>
      ) : (
        <>
          <h1 id="found">
            {more
              ? `More than ${limit} people found`
              : results.length === 1
                ? '1 person found'
                : `${results.length} people found, best match first`}
          </h1>
          {more ? (
            <p class="more" id="more">
              Only the best {limit} are shown, best match first. Narrow it down: add a date of birth (a year or an age will do) or a place.
            </p>
          ) : results.length > 1 ? (
            <p class="meta">Check the date of birth and home area before you open a plan: people can share a name.</p>
          ) : null}
          <ol class="results">
            {results.map((r) => (
              <Result r={r} backTo={props.backTo} />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

/** What was searched for, in one line: "Daniel Smith · born 1989 · near Waterloo Bridge". */
function searchedFor(props: SearchPageProps): string {
  const { form } = props;
  const place = props.placeRead ?? '';
  const age = props.ageRead;
  return [
    form.q ? form.q : '',
    props.dobRead ? `born ${readableDate(props.dobRead)}` : '',
    age ? `aged ${age.youngest}–${age.oldest}` : '',
    place ? `near ${place}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * After a search the form folds into one line with a "change" control (a <details>, so it works without
 * scripts and reopening it searches nothing) and the results start near the top of a car screen.
 */
function CollapsedForm(props: SearchPageProps) {
  return (
    <details class="searched">
      <summary>
        <span class="vh">Searched for: </span>
        <strong>{searchedFor(props)}</strong> <span class="change">change</span>
      </summary>
      <Form {...props} />
    </details>
  );
}

const BUSY = 'Search is busy, try again in a moment';

export function SearchPage(props: SearchPageProps) {
  const { view } = props;
  // A date left out stays in view, beside its field, so it can be corrected.
  const collapsed = view.kind === 'results' && view.results.length > 0 && !view.dobIgnored;
  const title = view.kind === 'results' ? 'Search results' : view.kind === 'busy' ? BUSY : 'Find a person';
  return (
    <Layout title={title} signedInAs={props.who}>
      <PurposeBanner purpose={props.purpose} href={props.changePurposeHref} />
      {props.noAgreement ? (
        <p class="warn" id="no-agreement">
          {props.noAgreement} has no data-sharing agreement in force with any mental-health trust today, so no plans can be found here,
          however the name is spelt. Call your control room: they can check with the mental-health team.
        </p>
      ) : null}
      {view.kind === 'busy' ? (
        <>
          <h1>{BUSY}</h1>
          <div class="notice" role="alert">
            <p>Too many searches are running on this service right now, so yours was not started. Nothing was searched.</p>
            <p>Your search is kept below: press Search again in a second or two. If it is urgent, call your control room.</p>
          </div>
        </>
      ) : view.kind === 'results' ? null : (
        <h1>Find a person's crisis plan</h1>
      )}
      {view.kind === 'invalid' ? (
        <div class="err" role="alert">
          <p>There is a problem</p>
          <ul>
            {view.errors.map((e) => (
              <li>
                <a href={`#${e.field}`}>{e.message}</a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {collapsed ? <CollapsedForm {...props} /> : <Form {...props} />}
      {view.kind === 'results' ? <Results view={view} form={props.form} backTo={props.here} noAgreement={props.noAgreement} /> : null}
      {view.kind === 'form' ? (
        <p class="meta">
          Have the person's card? Scan its QR code with your camera, or <a href="/code">type the code printed on it</a>.
        </p>
      ) : null}
    </Layout>
  );
}

/** Auditors and administrators: searching for people is not part of their role. */
export function SearchNotForYouPage(props: { who: Who }) {
  return (
    <Layout title="Search is for responders" signedInAs={props.who}>
      <h1>Search is for responders and plan authors</h1>
      <p>
        Looking people up is for responders at an incident and for the teams who write the plans. Your role does not include it, so nothing
        was searched.
      </p>
      <p>
        To review who looked at a plan and why, use the <a href="/audit">access log</a>. If you need this role changed, ask your
        administrator.
      </p>
    </Layout>
  );
}

/** The access log could not record the search, so its results are not shown. */
export function SearchUnavailablePage(props: { who: Who }) {
  return (
    <Layout title="Search unavailable" signedInAs={props.who}>
      <h1>Search is unavailable for a moment</h1>
      <p>Every search is recorded, and the record could not be written just now, so no results are shown.</p>
      <p>Try again in a minute. If it is urgent, call your control room.</p>
    </Layout>
  );
}

/** Searching faster than a person does at an incident: paused, with when to try again. */
export function SearchRateLimitedPage(props: { who: Who; retryAfter: number }) {
  const wait = props.retryAfter < 90 ? `${props.retryAfter} seconds` : `${Math.ceil(props.retryAfter / 60)} minutes`;
  return (
    <Layout title="Too many searches" signedInAs={props.who}>
      <h1>Too many searches</h1>
      <p>
        You have searched more often than anyone does at an incident, so searching is paused for you. Try again in about {wait}. Nothing was
        searched, and this pause is shown to your information-governance team.
      </p>
      <p>If a card is to hand, scanning it or typing its code still works.</p>
    </Layout>
  );
}
