import type { PlanView } from '../../plans/versions/read.js';
import { sectionTitles as baseTitles, type SectionKey } from '../../plans/core/content.js';
import { Phone, PhoneText } from '../components/phone-text.js';
import { readableDate } from '../dates.js';
import { Layout } from '../layout.js';

/** The responder's plan page: one screen to the summary, everything else below. All text is escaped by JSX. */

// A responder's page words a few sections for someone reading it in a crisis.
const sectionTitles: Record<SectionKey, string> = {
  ...baseTitles,
  capacity: 'Mental capacity',
  crisisBehaviours: 'In crisis',
  boundaries: 'Agreed boundaries (advice only)',
  careTeam: 'Care team and out of hours',
};

const List = (props: { items: string[] | undefined }) =>
  props.items?.length ? (
    <ul>
      {props.items.map((i) => (
        <li>
          <PhoneText text={i} />
        </li>
      ))}
    </ul>
  ) : null;

const SectionOf = (props: { level: 'h2' | 'h3' | 'h4'; title: string; show: boolean; children?: unknown }) => {
  const H = props.level;
  return props.show ? (
    <section>
      <H>{props.title}</H>
      {props.children as never}
    </section>
  ) : null;
};

/** Free text: any phone number in it (a crisis line, out-of-hours) is a link. */
const T = PhoneText;

/**
 * Who to call, on the first screen of a car terminal or a phone: the owning trust's 24/7 line (its register
 * contact) and the care team's out-of-hours numbers the reader may see. The summary often says "on the
 * number below"; the number used to be a screen and a half further down.
 */
export function WhoToCall(props: { ownerName?: string; contact?: string; careTeam: PlanView['content']['careTeam'] }) {
  const outOfHours = [...new Set((props.careTeam ?? []).map((m) => m.outOfHours).filter((t): t is string => !!t))];
  if (!props.contact && outOfHours.length === 0) return null;
  return (
    <section class="call" aria-labelledby="call-h">
      <h2 id="call-h">Who to call</h2>
      <ul>
        {props.contact ? (
          <li>
            <PhoneText text={props.contact} />
            {!props.ownerName || props.contact.includes(props.ownerName) ? null : <span class="meta"> ({props.ownerName})</span>}
          </li>
        ) : null}
        {outOfHours.map((t) => (
          <li>
            Out of hours: <PhoneText text={t} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** What the plan body needs: a published view (PlanView) or a proposed version as a responder kind would see it. */
export type PlanBodyView = Pick<PlanView, 'subject' | 'locations' | 'content' | 'withheldSections' | 'notice'>;

/**
 * The plan as a responder reads it, from the person's name to the last section. The responder's page and
 * the console's previews (an approver's review, an author's "as responders see it") render this one body,
 * so what is approved is what is shown. `level` is the name's heading level, under a console page's own headings.
 */
export function PlanBody(props: {
  view: PlanBodyView;
  level?: 1 | 2 | 3;
  version?: unknown;
  withheldFrom?: string;
  ownerName?: string;
  contact?: string;
}) {
  const { view } = props;
  const c = view.content;
  const s = view.subject;
  const name = `${s.givenNames} ${s.familyName}`;
  const level = props.level ?? 1;
  const Name = `h${level}` as 'h1' | 'h2' | 'h3';
  const sectionLevel = `h${level + 1}` as 'h2' | 'h3' | 'h4';
  const Section = (p: { title: string; show: boolean; children?: unknown }) => <SectionOf level={sectionLevel} {...p} />;
  return (
    <>
      <Name>
        {name}
        {s.preferredName ? <span> ("{s.preferredName}")</span> : null}
      </Name>
      <p class="meta">
        Born {readableDate(s.dateOfBirth)}
        {s.aliases.length ? ` · also known as ${s.aliases.join(', ')}` : ''}
        {s.homeArea ? ` · ${s.homeArea}` : ''}
      </p>
      {s.description ? <p class="meta">{s.description}</p> : null}
      {props.version as never}
      <p class="summary">
        <T text={c.summary} />
      </p>
      <WhoToCall ownerName={props.ownerName} contact={props.contact} careTeam={c.careTeam} />
      {/* Present on every plan, but quieter than the plan itself: it used to outweigh the summary. */}
      <p class="advice">{view.notice}</p>
      <Section title={sectionTitles.whatHelps} show={!!c.whatHelps?.length}>
        <List items={c.whatHelps} />
      </Section>
      <Section title={sectionTitles.whatToAvoid} show={!!c.whatToAvoid?.length}>
        <List items={c.whatToAvoid} />
      </Section>
      <Section title={sectionTitles.crisisBehaviours} show={!!c.crisisBehaviours?.length}>
        <dl>
          {c.crisisBehaviours?.map((b) => (
            <>
              <dt>
                <T text={b.behaviour} />
              </dt>
              {b.triggers ? (
                <dd>
                  Triggers: <T text={b.triggers} />
                </dd>
              ) : null}
              {b.earlyWarningSigns ? (
                <dd>
                  Early warning signs: <T text={b.earlyWarningSigns} />
                </dd>
              ) : null}
            </>
          ))}
        </dl>
      </Section>
      <Section title="Places" show={view.locations.length > 0}>
        <List items={view.locations.map((l) => (l.note ? `${l.label} (${l.note})` : l.label))} />
      </Section>
      <Section title={sectionTitles.placesOfSafety} show={!!c.placesOfSafety?.length}>
        <ul>
          {c.placesOfSafety?.map((p) => (
            <li>
              <T text={p.name} />
              {p.address ? ', ' : ''}
              <T text={p.address} /> <Phone n={p.phone} />
            </li>
          ))}
        </ul>
      </Section>
      <Section title={sectionTitles.careTeam} show={!!c.careTeam?.length}>
        <ul>
          {c.careTeam?.map((m) => (
            <li>
              {m.name}
              {m.role ? `, ${m.role}` : ''}
              {m.org ? `, ${m.org}` : ''} <Phone n={m.phone} />
              {m.outOfHours ? (
                <span>
                  {' '}
                  · out of hours: <T text={m.outOfHours} />
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      </Section>
      <Section title={sectionTitles.nominatedPeople} show={!!c.nominatedPeople?.length}>
        <ul>
          {c.nominatedPeople?.map((p) => (
            <li>
              {p.name}
              {p.relationship ? ` (${p.relationship})` : ''} <Phone n={p.phone} />
            </li>
          ))}
        </ul>
      </Section>
      <Section title={sectionTitles.boundaries} show={!!c.boundaries?.length}>
        <dl>
          {c.boundaries?.map((b) => (
            <>
              <dt>
                <T text={b.boundary} />
              </dt>
              <dd>
                If breached: <T text={b.ifBreached} />
              </dd>
            </>
          ))}
        </dl>
      </Section>
      <Section title={sectionTitles.personWillDo} show={!!c.personWillDo}>
        <p>
          <T text={c.personWillDo} />
        </p>
      </Section>
      <Section title={sectionTitles.personCanExpect} show={!!c.personCanExpect}>
        <p>
          <T text={c.personCanExpect} />
        </p>
      </Section>
      <Section title={sectionTitles.diagnosis} show={!!c.diagnosis}>
        <p>
          <T text={c.diagnosis?.text} />
        </p>
        {c.diagnosis?.plainLanguage ? (
          <p>
            <T text={c.diagnosis.plainLanguage} />
          </p>
        ) : null}
      </Section>
      <Section title={sectionTitles.capacity} show={!!c.capacity}>
        <p>
          <T text={c.capacity} />
        </p>
      </Section>
      <Section title={sectionTitles.inTheirOwnWords} show={!!c.inTheirOwnWords}>
        <p>
          <T text={c.inTheirOwnWords} />
        </p>
      </Section>

      {view.withheldSections.length ? (
        <p class="notice">
          Not shown to {props.withheldFrom ?? 'your organisation'}: {view.withheldSections.map((k) => sectionTitles[k]).join(', ')}.
        </p>
      ) : null}
    </>
  );
}

export function PlanPage(props: { view: PlanView; who: { sub: string; org: string }; purpose: string; contact?: string; backTo?: string }) {
  const { view } = props;
  return (
    <Layout title="Crisis response plan" signedInAs={props.who}>
      {view.stale ? (
        <p class="stale">
          OUT OF DATE: this plan was due for review on {readableDate(view.reviewBy)}. It may no longer be right. Use it with extra care.
        </p>
      ) : null}
      {props.backTo ? (
        <p class="back">
          <a href={props.backTo}>Back to results</a>
        </p>
      ) : null}
      <PlanBody
        view={view}
        ownerName={view.owningOrg.name}
        contact={props.contact}
        version={
          /* Which version this is, and how current, before anything is acted on. */
          <p class="meta" id="version">
            Version {view.version} · published {readableDate(view.publishedAt)} · review by {readableDate(view.reviewBy)}
            {view.stale ? ' (overdue)' : ''}
          </p>
        }
      />
      <h2>About this plan</h2>
      <p class="meta">
        Version {view.version}, published {readableDate(view.publishedAt)} by {view.owningOrg.name}. Review by {readableDate(view.reviewBy)}
        {view.stale ? ' (overdue)' : ''}.
        {view.governance.coProduced
          ? ` Written with the person, who agreed it on ${readableDate(view.governance.agreedBySubjectOn ?? '')}.`
          : ''}
      </p>
      <p class="meta">
        Your stated reason: {props.purpose} (<a href={`/purpose?return=${encodeURIComponent(`/plans/${view.planId}`)}`}>change</a>)
      </p>
    </Layout>
  );
}
