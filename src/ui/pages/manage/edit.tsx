import type { ResponderKind } from '../../../plans/core/audience.js';
import type { Readability } from '../../../plans/versions/readability.js';
import { ErrorSummary, SectionFields, type FormError } from '../../components/plan-form.js';
import { PlanLength, SummaryCount } from '../../components/readability.js';
import { ResponderPreview } from '../../components/responder-preview.js';
import { readableDate } from '../../dates.js';
import type { PlanBodyView } from '../plan.js';
import { ConsolePage, stateLabel, when, type Who } from './common.js';
import type { LocatedPlace } from './places.js';
import { sections, type Section } from './spec.js';

export type PlanHeading = {
  planId: string;
  externalRef: string;
  name: string;
  version: number;
  status: string;
  returned?: { by: string; at: string; comment: string | null };
};

/** Where each section stands, as GOV.UK task lists say it. */
export type TaskState = 'not-started' | 'done' | 'warning';
const taskWords: Record<TaskState, string> = { 'not-started': 'Not started', done: 'Done', warning: 'Check' };

function Tasks({ planId, current, states }: { planId: string; current?: string; states?: Record<string, TaskState> }) {
  return (
    <nav class="tasks" aria-label="Sections of the plan">
      <ol>
        {sections.map((s) => {
          const state = states?.[s.key];
          return (
            <li>
              <a href={`/manage/plans/${planId}/edit?section=${s.key}`} aria-current={s.key === current ? 'step' : undefined}>
                {s.title}
              </a>
              {state ? (
                <>
                  {' '}
                  <span class={`tag task-${state}`}>{taskWords[state]}</span>
                </>
              ) : null}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

type EditProps = {
  who: Who;
  plan?: PlanHeading;
  section: Section;
  values: Record<string, string>;
  errors: FormError[];
  readability?: Readability;
  saved?: boolean;
  action: string;
  next?: string;
  /** Each section's state for the task list (sections the plan has nothing in are not started). */
  states?: Record<string, TaskState>;
  /** The places section: where each saved place is, and how its position was found. */
  located?: LocatedPlace[];
};

/** One section of the plan: what was typed stays on the page until it is saved. */
export function EditSectionPage(p: EditProps) {
  const title = p.plan ? `${p.section.title}: ${p.plan.name}` : p.section.title;
  const showCount = p.readability && p.section.items.some((i) => i.name === 'plan.summary');
  return (
    <ConsolePage title={p.errors.length ? `Error: ${title}` : title} who={p.who}>
      <ErrorSummary errors={p.errors} />
      {p.plan ? (
        <>
          <p class="meta">
            <a href={`/manage/plans/${p.plan.planId}`}>
              {p.plan.name} ({p.plan.externalRef})
            </a>{' '}
            · version {p.plan.version}, {stateLabel[p.plan.status] ?? p.plan.status}
          </p>
          <Tasks planId={p.plan.planId} current={p.section.key} states={p.states} />
        </>
      ) : null}
      <h1>{p.section.title}</h1>
      {p.saved ? (
        <p class="notice" role="status">
          Saved.
        </p>
      ) : null}
      {p.section.intro ? <p>{p.section.intro}</p> : null}
      <form method="post" action={p.action} novalidate>
        <SectionFields section={p.section} values={p.values} errors={p.errors} />
        {showCount ? <SummaryCount r={p.readability!} /> : null}
        {p.located?.length ? (
          <div class="figures">
            <h2>Where responders will look for them</h2>
            <ul>
              {p.located.map((l) => (
                <li>
                  {l.label}: {l.lat}, {l.lng} ({l.how})
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {/* Going on to the next section is the usual way through the plan: it is the main button. */}
        <div class="actions">
          {p.plan && p.next ? (
            <button type="submit" name="save" value={p.next}>
              Save and go to the next section
            </button>
          ) : null}
          <button type="submit" class={p.plan && p.next ? 'secondary' : undefined} name="save" value="stay">
            {p.plan ? 'Save this section' : 'Save and continue'}
          </button>
        </div>
      </form>
    </ConsolePage>
  );
}

type OverviewProps = {
  who: Who;
  plan: PlanHeading;
  readability: Readability;
  currentVersion: number | null;
  canEdit: boolean;
  canStartDraft: boolean;
  canSubmit: boolean;
  canReview: boolean;
  canWithdraw: boolean;
  canCards: boolean;
  notice?: string;
  /** The person's own copy, for those who may print it (policy.authorisePersonCopy). */
  personCopy?: PersonCopyView;
};

export type PersonCopyView = {
  /** The copy the person holds (the last printed), with where to download it again. */
  holds?: { version: number; printedAt: string; withoutIdentifiers: boolean; pdf: string };
  /** The version responders see; none once withdrawn. */
  current?: number;
  outOfDate: boolean;
  /** Just recorded (the redirect after printing): say so and offer the download. */
  justPrinted: boolean;
};

/** Which copy of the plan the person holds, whether it is still the plan responders see, and printing a new one. */
function PersonCopySection({ base, copy }: { base: string; copy: PersonCopyView }) {
  const h = copy.holds;
  return (
    <section aria-labelledby="person-copy">
      <h2 id="person-copy">The person's copy</h2>
      {h && copy.justPrinted ? (
        <p class="notice" role="status">
          Recorded: the person's copy of version {h.version}
          {h.withoutIdentifiers ? ', without identifying details' : ''}. <a href={h.pdf}>Download the copy to print (PDF)</a>
        </p>
      ) : null}
      {h ? (
        <p>
          The person holds version {h.version}, printed on {readableDate(h.printedAt)}
          {h.withoutIdentifiers ? ' (the summary without identifying details)' : ''}.{' '}
          {copy.justPrinted ? null : <a href={h.pdf}>Download this copy again (PDF)</a>}
        </p>
      ) : (
        <p>No copy of this plan has been printed for the person yet. They should hold an up-to-date copy of their most recent plan.</p>
      )}
      {copy.outOfDate ? (
        <p class="warn">
          <span class="tag">Out of date</span> The person's copy is out of date: version {copy.current} was published since; print a new
          copy.
        </p>
      ) : null}
      {copy.current !== undefined ? (
        <form method="post" action={`${base}/copies`}>
          <div class="check">
            <input
              type="checkbox"
              id="withoutIdentifiers"
              name="withoutIdentifiers"
              value="yes"
              aria-describedby="withoutIdentifiers-hint"
            />
            <label for="withoutIdentifiers">Without identifying details</label>
          </div>
          <p id="withoutIdentifiers-hint" class="hint">
            A summary with no name, date of birth, NHS number or address, for sending by email.
          </p>
          <div class="actions">
            <button type="submit">Print the person's copy of version {copy.current}</button>
          </div>
        </form>
      ) : null}
    </section>
  );
}

/** A plan's page in the console: where it stands, how long it reads, and what can be done next. */
export function PlanOverviewPage(p: OverviewProps) {
  const base = `/manage/plans/${p.plan.planId}`;
  return (
    <ConsolePage title={p.plan.name} who={p.who}>
      <h1>{p.plan.name}</h1>
      {p.notice ? (
        <p class="notice" role="status">
          {p.notice}
        </p>
      ) : null}
      <p>
        {p.plan.externalRef} · latest version {p.plan.version}: <span class="tag">{stateLabel[p.plan.status] ?? p.plan.status}</span>
        {p.currentVersion !== null ? ` · responders see version ${p.currentVersion}` : ' · responders see nothing yet'}
      </p>
      {p.plan.returned ? (
        <div class="notice">
          <p>
            Returned by {p.plan.returned.by} on {when(p.plan.returned.at)}:
          </p>
          <p>{p.plan.returned.comment}</p>
        </div>
      ) : null}
      {p.canEdit ? <Tasks planId={p.plan.planId} /> : null}
      <div class="actions">
        {p.canSubmit ? <a href={`${base}/preview`}>Preview as responders will see it</a> : null}
        {p.canSubmit ? (
          <form method="post" action={`${base}/submit`}>
            <button type="submit">Send for review</button>
          </form>
        ) : null}
        {p.canStartDraft ? (
          <form method="post" action={`${base}/drafts`}>
            <button type="submit">Start a new draft from version {p.currentVersion}</button>
          </form>
        ) : null}
        {p.canReview ? (
          <a class="button" href={`/manage/reviews/${p.plan.planId}/${p.plan.version}`}>
            Review this version
          </a>
        ) : null}
      </div>
      <PlanLength r={p.readability} />
      {p.personCopy ? <PersonCopySection base={base} copy={p.personCopy} /> : null}
      <h2>More</h2>
      <ul>
        <li>
          <a href={`${base}/preview`}>Version {p.plan.version} as the police, ambulance crews and emergency departments will see it</a>
        </li>
        <li>
          <a href={`${base}/history`}>History of this plan</a>
        </li>
        {p.canCards ? (
          <li>
            <a href={`${base}/cards`}>Patient-held cards</a>
          </li>
        ) : null}
        {p.canWithdraw ? (
          <li>
            <a href={`${base}/withdraw`}>Withdraw this plan</a>
          </li>
        ) : null}
      </ul>
    </ConsolePage>
  );
}

/**
 * The latest version as each kind of responder will read it (an author before sending it for review),
 * from the plan's console page; a draft can be sent for review from here.
 */
export function PlanPreviewPage(p: {
  who: Who;
  plan: PlanHeading;
  view: PlanBodyView;
  as: ResponderKind;
  reviewBy: string;
  canSubmit: boolean;
}) {
  const base = `/manage/plans/${p.plan.planId}`;
  return (
    <ConsolePage title={`Preview: ${p.plan.name}`} who={p.who}>
      <p class="meta">
        <a href={base}>Back to the plan</a>
      </p>
      <h1>Preview: {p.plan.name}</h1>
      <p>
        {p.plan.externalRef} · version {p.plan.version}: <span class="tag">{stateLabel[p.plan.status] ?? p.plan.status}</span>
      </p>
      <ResponderPreview
        view={p.view}
        as={p.as}
        href={(k) => `${base}/preview?as=${k}`}
        title="As responders will see it"
        version={
          <p class="meta">
            Version {p.plan.version} · review by {readableDate(p.reviewBy)}
          </p>
        }
      />
      {p.canSubmit ? (
        <div class="actions" id="send">
          <form method="post" action={`${base}/submit`}>
            <button type="submit">Send for review</button>
          </form>
          <a href={`${base}/edit`}>Change something first</a>
        </div>
      ) : null}
    </ConsolePage>
  );
}
