import type { Store } from '../../../db/runtime.js';
import type { Actor } from '../core/actor.js';
import type { StoredEvent } from './chain.js';
import { authoriseAccessReport, authoriseAudit } from '../policy.js';
import { planOf, reportEvents, reportSubject, type ReportRow } from './events-store.js';
import { catchUpPlanLookup } from './queries.js';
import type { OrgKind } from '../core/content.js';
import { fail, ok, type Result } from '../core/result.js';
import { localDay, localDayEnd, localDayStart, longDate, readableTime } from '../core/local-time.js';
import { CARE_PLANNING } from './flags.js';

/** Whether the person's report names the individual who looked, or only their organisation and role. */
export type ReportNamesPolicy = 'role-only' | 'individual';

const kindWords: Record<OrgKind, string> = {
  police: 'police',
  ambulance: 'ambulance service',
  'emergency-department': 'hospital emergency department',
  'mental-health': 'mental-health trust',
};

const roleWords: Record<string, string> = {
  responder: 'a responder',
  author: 'a member of your care team writing your plan',
  approver: 'a clinician approving your plan',
  auditor: 'an information-governance officer',
  admin: 'an administrator',
};

const actionWords: Record<string, string> = {
  view: 'looked at your plan',
  'qr-scan': 'scanned the code on your plan card and looked at your plan',
  print: 'printed your plan',
  export: 'exported your plan',
  history: 'looked at the history of your plan',
};

/** What the person can ask to see, apart: responders' looks, their own care team's work, refused attempts. */
export const reportKinds = ['responders', 'care-team', 'refused'] as const;
export type ReportKind = (typeof reportKinds)[number];

/** One line of the report: a look, or a run of looks by the same person for the same reason (grouped). */
export type AccessReportEntry = {
  kind: Exclude<ReportKind, 'refused'>;
  /** The first look (ISO UTC, machine-readable); `until` the last of the run. */
  when: string;
  until: string;
  count: number;
  organisation: string;
  organisationKind: string;
  role: string;
  person: string | null;
  what: string;
  why: string | null;
  how: string;
  emergency: boolean;
  emergencyReason: string | null;
  sentence: string;
};

/** An attempt the service refused: the plan was not shown. Listed one by one, with why. */
export type RefusedAttempt = {
  when: string;
  organisation: string;
  organisationKind: string;
  role: string;
  person: string | null;
  why: string | null;
  refusal: string;
  sentence: string;
};

export type AccessReport = {
  planId: string;
  externalRef: string;
  owningOrg: string;
  /** The person as the plan holds them, for the posting block (the plan holds no postal address). */
  subject: { name: string } | null;
  generatedAt: string;
  namesPolicy: ReportNamesPolicy;
  /** The days covered (inclusive, London days); null ends are open. */
  period: ReportPeriod;
  /** What the report shows; the counts in the summary cover the same kinds. */
  kinds: ReportKind[];
  accesses: AccessReportEntry[];
  refused: RefusedAttempt[];
  emergencyAccesses: number;
  refusedAttempts: number;
  /** Responders' searches that returned the person (not the care team's own lists). */
  searchAppearances: number;
  /** The care team's own console lists and searches that showed the person: their work, counted apart. */
  careTeamSearches: number;
  summary: string[];
};

/** Whole days, as the person asked for them: `to` includes that day. */
export type ReportPeriod = { from: string | null; to: string | null };

const periodWords = (p: ReportPeriod) =>
  p.from && p.to
    ? `Between ${longDate(p.from)} and ${longDate(p.to)}`
    : p.from
      ? `Since ${longDate(p.from)}`
      : p.to
        ? `Up to ${longDate(p.to)}`
        : null;

/** "23 November 2026 at 14:05 GMT" (London time, the zone said). */
const when = (iso: string) => `${longDate(iso)} at ${readableTime(iso)}`;

/** A run of looks: from the first to the last, in words. */
const span = (from: string, to: string) =>
  readableTime(from) === readableTime(to) && localDay(from) === localDay(to)
    ? `On ${when(from)}`
    : localDay(from) === localDay(to)
      ? `On ${longDate(from)}, ${readableTime(from)} to ${readableTime(to)}`
      : `From ${when(from)} to ${when(to)}`;

/** Looks by the same person, same action and reason, each within this long of the previous, are one line. */
const GROUP_GAP_MS = 15 * 60_000;

/** Why an attempt was refused, in the person's words (reason codes, never the internal detail text). */
function refusalWords(reason: string | null): string {
  const r = reason ?? '';
  if (r.includes('no-agreement')) return 'their organisation has no data-sharing agreement with your care team';
  if (r.startsWith('rate-limited')) return 'too many look-ups in a short time';
  if (r.startsWith('purpose-required')) return 'no reason was given';
  if (r.includes('-card')) return 'the plan card used had been stopped or replaced';
  if (r.startsWith('not-published') || r.startsWith('gone')) return 'the plan was not in use at the time';
  return 'they were not allowed to see it';
}

/**
 * "Who looked at your plan": every allowed or emergency read of the plan, in plain language, with the
 * organisation, role, when (London time) and why; runs of looks by one person grouped into one line; the
 * care team's own work kept apart from responders' looks; each refused attempt listed with why. Only the
 * owning organisation's auditors may produce it (for a subject-access request).
 */
export async function accessReport(
  db: Store,
  auditor: Actor,
  planId: string,
  names: ReportNamesPolicy,
  now: Date,
  period: ReportPeriod = { from: null, to: null },
  kinds: readonly ReportKind[] = reportKinds,
): Promise<Result<AccessReport>> {
  // The role first: someone who may not audit learns nothing, not even whether the plan exists.
  const mayAudit = authoriseAudit(auditor);
  if (!mayAudit.ok) return mayAudit;
  const plan = await planOf(db, planId);
  if (!plan) return fail('not_found', 'no such plan');
  const allowed = authoriseAccessReport(auditor, plan.owningOrg);
  if (!allowed.ok) return allowed;
  // The name as published (a draft may hold a correction not yet approved), else the latest version's.
  const s = (await reportSubject(db, planId)) ?? null;

  await catchUpPlanLookup(db);
  // The person asks for days where they live: London days, whatever the clocks did.
  const from = period.from ? localDayStart(period.from) : '';
  const to = period.to ? localDayEnd(period.to) : '9999';
  const { opened: rows, searches } = await reportEvents(db, planId, from, to);
  // The care team's own console (its lists, the plan it is writing) is the care work itself, not a look
  // by someone outside it: the purpose the console records, by the trust that owns the plan.
  const careTeam = (e: { purpose: string | null; actorOrg: string | null }) => e.purpose === CARE_PLANNING && e.actorOrg === plan.owningOrg;
  const careTeamSearches = searches.filter(careTeam).length;
  const searchAppearances = searches.length - careTeamSearches;

  const whoOf = (e: ReportRow) => {
    const roles = JSON.parse(e.actorRoles ?? '[]') as string[];
    return {
      role: roleWords[roles[0] ?? ''] ?? 'someone',
      organisation: e.orgName ?? e.actorOrg ?? 'an unknown organisation',
      organisationKind: e.orgKind ? kindWords[e.orgKind] : 'organisation',
      person: names === 'individual' ? e.actorSub : null,
    };
  };
  const whoWords = (w: ReturnType<typeof whoOf>) =>
    `${w.role}${w.person ? ` (${w.person})` : ''} from ${w.organisation} (${w.organisationKind})`;

  // The plan page a scan redirects to is the same look as the scan: counted once, as the scan.
  const scans = rows.filter((e) => e.action === 'qr-scan' && e.outcome !== 'denied');
  const pageOfScan = (e: StoredEvent) =>
    e.action === 'view' &&
    e.channel === 'qr' &&
    scans.some(
      (s) => s.seq < e.seq && s.actorSub === e.actorSub && s.actorOrg === e.actorOrg && Date.parse(e.at) - Date.parse(s.at) <= 120_000,
    );

  // Runs: the same person, action and reason, each look soon after the last (a care worker saving nine
  // sections in a minute is one piece of work, not nine lines). Emergency access is never folded in.
  const runs: { kind: AccessReportEntry['kind']; rows: ReportRow[] }[] = [];
  for (const e of rows.filter((r) => r.outcome !== 'denied' && !pageOfScan(r))) {
    const kind = careTeam(e) ? 'care-team' : 'responders';
    const last = runs.at(-1);
    const prev = last?.rows.at(-1);
    const sameRun =
      last &&
      prev &&
      last.kind === kind &&
      e.outcome !== 'emergency' &&
      prev.outcome !== 'emergency' &&
      prev.actorSub === e.actorSub &&
      prev.actorOrg === e.actorOrg &&
      prev.purpose === e.purpose &&
      (kind === 'care-team' || prev.action === e.action) &&
      Date.parse(e.at) - Date.parse(prev.at) <= GROUP_GAP_MS;
    if (sameRun) last.rows.push(e);
    else runs.push({ kind, rows: [e] });
  }
  const allAccesses = runs.map(({ kind, rows: run }): AccessReportEntry => {
    const e = run[0]!;
    const w = whoOf(e);
    const first = e.at;
    const until = run.at(-1)!.at;
    const count = run.length;
    const emergency = e.outcome === 'emergency';
    const what = kind === 'care-team' ? 'worked on your plan' : (actionWords[e.action] ?? 'looked at your plan');
    const times = count > 1 ? ` (${count} ${kind === 'care-team' ? 'changes and views' : 'times'})` : '';
    const sentence =
      `${span(first, until)}, ${whoWords(w)} ${what}${times}` +
      (emergency ? ' in an emergency, without a data-sharing agreement' : '') +
      (e.purpose && kind !== 'care-team' ? `. Reason given: "${e.purpose}"` : '') +
      (emergency && e.reason ? `. Emergency reason: "${e.reason}"` : '') +
      '.';
    return {
      kind,
      when: first,
      until,
      count,
      ...w,
      what,
      why: e.purpose,
      how: e.channel === 'qr' ? 'QR code' : e.channel === 'web' ? 'web' : 'connected system',
      emergency,
      emergencyReason: emergency ? e.reason : null,
      sentence,
    };
  });
  const allRefused = rows
    .filter((e) => e.outcome === 'denied')
    .map((e): RefusedAttempt => {
      const w = whoOf(e);
      const refusal = refusalWords(e.reason);
      return {
        when: e.at,
        ...w,
        why: e.purpose,
        refusal,
        sentence: `On ${when(e.at)}, ${whoWords(w)} tried to look at your plan${e.purpose ? ` (reason given: "${e.purpose}")` : ''}. It was refused because ${refusal}, and your plan was not shown.`,
      };
    });

  const shown = new Set(kinds);
  const accesses = allAccesses.filter((a) => shown.has(a.kind));
  const refused = shown.has('refused') ? allRefused : [];
  const looks = (k: AccessReportEntry['kind']) => allAccesses.filter((a) => a.kind === k).reduce((n, a) => n + a.count, 0);
  const responderLooks = looks('responders');
  const careLooks = looks('care-team');
  const emergencyAccesses = allAccesses.filter((a) => a.emergency).length;
  const orgs = new Set(allAccesses.filter((a) => a.kind === 'responders').map((a) => a.organisation));
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const during = periodWords(period);
  const summary = [
    ...(during ? [`${during}:`] : []),
    ...(shown.has('responders')
      ? [
          responderLooks
            ? `Your plan was looked at ${plural(responderLooks, 'time', 'times')} by ${plural(orgs.size, 'organisation', 'organisations')} outside your care team.`
            : 'Nobody outside your care team looked at your plan.',
          `Your record appeared in ${plural(searchAppearances, 'search', 'searches')} by responders.`,
          ...(emergencyAccesses
            ? [
                `${plural(emergencyAccesses, 'look was', 'looks were')} emergency access without a data-sharing agreement; each was reviewed by our information-governance team.`,
              ]
            : []),
        ]
      : []),
    ...(shown.has('care-team') && (careLooks || careTeamSearches)
      ? [
          `Your care team opened or changed your plan ${plural(careLooks, 'time', 'times')} while writing and reviewing it${careTeamSearches ? `, and your name was in their own lists ${careTeamSearches === 1 ? 'once' : `${careTeamSearches} times`}` : ''}.`,
        ]
      : []),
    ...(shown.has('refused') && allRefused.length
      ? [`${plural(allRefused.length, 'attempt was', 'attempts were')} refused and your plan was not shown.`]
      : []),
  ];
  return ok({
    planId,
    externalRef: plan.externalRef,
    owningOrg: plan.owningOrg,
    subject: s ? { name: [s.givenNames, s.familyName].filter(Boolean).join(' ') } : null,
    generatedAt: now.toISOString(),
    namesPolicy: names,
    period,
    kinds: reportKinds.filter((k) => shown.has(k)),
    accesses,
    refused,
    emergencyAccesses,
    refusedAttempts: allRefused.length,
    searchAppearances,
    careTeamSearches,
    summary,
  });
}

/** The trust that keeps the plan, as the report names it: its data-protection contact, if it gave one. */
export type ReportOwner = { name: string; dataProtection: string | null };

/**
 * Where the person takes questions about their data. Never the organisation's team or crisis contact
 * (that line is for a crisis, not for data-protection requests).
 */
export const questionsWords = (o: ReportOwner) =>
  `If you have questions about this report, or think someone looked at your plan without a good reason, ` +
  (o.dataProtection
    ? `contact the data-protection officer at ${o.name}: ${o.dataProtection}.`
    : `contact the trust's data-protection officer at ${o.name}.`);

/** The printable plain-text form, for the person. */
export function accessReportText(r: AccessReport): string {
  return [
    'Who looked at your response plan',
    `Plan reference: ${r.externalRef}    Report produced: ${when(r.generatedAt)}`,
    '',
    ...r.summary,
    '',
    ...(r.accesses.length ? r.accesses.map((a) => `- ${a.sentence}`) : ['(no accesses recorded)']),
    ...(r.refused.length ? ['', 'Attempts that were refused:', ...r.refused.map((a) => `- ${a.sentence}`)] : []),
    '',
  ].join('\n');
}
