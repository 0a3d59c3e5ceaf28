import type { Db } from '../../../db/index.js';
import type { Actor } from '../core/actor.js';
import type { StoredEvent } from './chain.js';
import { authoriseAccessReport, authoriseAudit } from '../policy.js';
import { catchUpPlanLookup, EVENT_COLUMNS } from './queries.js';
import type { OrgKind } from '../core/content.js';
import { fail, ok, type Result } from '../core/result.js';

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

export type AccessReportEntry = {
  when: string;
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

export type AccessReport = {
  planId: string;
  externalRef: string;
  owningOrg: string;
  generatedAt: string;
  namesPolicy: ReportNamesPolicy;
  /** The days covered (inclusive, UTC); null ends are open. */
  period: ReportPeriod;
  accesses: AccessReportEntry[];
  emergencyAccesses: number;
  refusedAttempts: number;
  searchAppearances: number;
  summary: string[];
};

/** Whole days, as the person asked for them: `to` includes that day. */
export type ReportPeriod = { from: string | null; to: string | null };

const dayWords = (day: string) =>
  new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

const periodWords = (p: ReportPeriod) =>
  p.from && p.to ? `Between ${dayWords(p.from)} and ${dayWords(p.to)}` : p.from ? `Since ${dayWords(p.from)}` : p.to ? `Up to ${dayWords(p.to)}` : null;

const when = (iso: string) => {
  const d = new Date(iso);
  const day = d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  return `${day} at ${iso.slice(11, 16)} UTC`;
};

/**
 * "Who looked at your plan": every allowed or emergency read of the plan, in plain language, with the
 * organisation, role, when and why; plus how many searches surfaced it and how many attempts were refused.
 * Only the owning organisation's auditors may produce it (for a subject-access request).
 */
export function accessReport(
  db: Db,
  auditor: Actor,
  planId: string,
  names: ReportNamesPolicy,
  now: Date,
  period: ReportPeriod = { from: null, to: null },
): Result<AccessReport> {
  // The role first: someone who may not audit learns nothing, not even whether the plan exists.
  const mayAudit = authoriseAudit(auditor);
  if (!mayAudit.ok) return mayAudit;
  const plan = db.$client
    .prepare<[string], { externalRef: string; owningOrg: string }>('SELECT external_ref AS externalRef, owning_org AS owningOrg FROM plans WHERE id = ?')
    .get(planId);
  if (!plan) return fail('not_found', 'no such plan');
  const allowed = authoriseAccessReport(auditor, plan.owningOrg);
  if (!allowed.ok) return allowed;

  catchUpPlanLookup(db);
  const bounds = {
    planId,
    from: period.from ? `${period.from}T00:00:00.000Z` : '',
    to: period.to ? `${period.to}T23:59:59.999Z` : '9999',
  };
  const inPeriod = 'e.at >= @from AND e.at <= @to';
  const rows = db.$client
    .prepare(
      `SELECT ${EVENT_COLUMNS}, o.name AS orgName, o.kind AS orgKind FROM access_events e
       LEFT JOIN organisations o ON o.slug = e.actor_org
       WHERE e.seq IN (SELECT seq FROM access_event_plans WHERE plan_id = @planId)
         AND e.plan_id = @planId AND e.action <> 'audit-read' AND ${inPeriod} ORDER BY e.seq`,
    )
    .all(bounds) as (StoredEvent & { orgName: string | null; orgKind: OrgKind | null })[];
  // Searches list every plan they returned; the lookup holds each of those, so no scan of the log.
  const searchAppearances = db.$client
    .prepare<[typeof bounds], { n: number }>(
      `SELECT count(*) AS n FROM access_events e
       WHERE e.seq IN (SELECT seq FROM access_event_plans WHERE plan_id = @planId) AND e.action = 'search' AND ${inPeriod}
         AND EXISTS (SELECT 1 FROM json_each(e.result_plan_ids) WHERE value = @planId)`,
    )
    .get(bounds)!.n;

  // The plan page a scan redirects to is the same look as the scan: counted once, as the scan.
  const scans = rows.filter((e) => e.action === 'qr-scan' && e.outcome !== 'denied');
  const pageOfScan = (e: StoredEvent) =>
    e.action === 'view' && e.channel === 'qr' &&
    scans.some((s) => s.seq < e.seq && s.actorSub === e.actorSub && s.actorOrg === e.actorOrg && Date.parse(e.at) - Date.parse(s.at) <= 120_000);
  const accesses = rows
    .filter((e) => e.outcome !== 'denied' && !pageOfScan(e))
    .map((e): AccessReportEntry => {
      const roles = JSON.parse(e.actorRoles ?? '[]') as string[];
      const role = roleWords[roles[0] ?? ''] ?? 'someone';
      const organisation = e.orgName ?? e.actorOrg ?? 'an unknown organisation';
      const kind = e.orgKind ? kindWords[e.orgKind] : 'organisation';
      const person = names === 'individual' ? e.actorSub : null;
      const what = actionWords[e.action] ?? 'looked at your plan';
      const emergency = e.outcome === 'emergency';
      const who = `${role}${person ? ` (${person})` : ''} from ${organisation} (${kind})`;
      const sentence =
        `On ${when(e.at)}, ${who} ${what}` +
        (emergency ? ' in an emergency, without a data-sharing agreement' : '') +
        (e.purpose ? `. Reason given: "${e.purpose}"` : '') +
        (emergency && e.reason ? `. Emergency reason: "${e.reason}"` : '') +
        '.';
      return {
        when: e.at,
        organisation,
        organisationKind: kind,
        role,
        person,
        what,
        why: e.purpose,
        how: e.channel === 'qr' ? 'QR code' : e.channel === 'web' ? 'web' : 'connected system',
        emergency,
        emergencyReason: emergency ? e.reason : null,
        sentence,
      };
    });
  const emergencyAccesses = accesses.filter((a) => a.emergency).length;
  const refusedAttempts = rows.filter((e) => e.outcome === 'denied').length;
  const orgs = new Set(accesses.map((a) => a.organisation));
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const during = periodWords(period);
  const summary = [
    ...(during ? [`${during}:`] : []),
    accesses.length
      ? `Your plan was looked at ${plural(accesses.length, 'time', 'times')} by ${plural(orgs.size, 'organisation', 'organisations')}.`
      : 'Nobody has looked at your plan.',
    `Your record appeared in ${plural(searchAppearances, 'search', 'searches')}.`,
    ...(emergencyAccesses ? [`${plural(emergencyAccesses, 'look was', 'looks were')} emergency access without a data-sharing agreement; each was reviewed by our information-governance team.`] : []),
    ...(refusedAttempts ? [`${plural(refusedAttempts, 'attempt was', 'attempts were')} refused and your plan was not shown.`] : []),
  ];
  return ok({
    planId,
    externalRef: plan.externalRef,
    owningOrg: plan.owningOrg,
    generatedAt: now.toISOString(),
    namesPolicy: names,
    period,
    accesses,
    emergencyAccesses,
    refusedAttempts,
    searchAppearances,
    summary,
  });
}

/** The printable plain-text form, for the person. */
export function accessReportText(r: AccessReport): string {
  return [
    'Who looked at your response plan',
    `Plan reference: ${r.externalRef}    Report produced: ${when(r.generatedAt)}`,
    '',
    ...r.summary,
    '',
    ...(r.accesses.length ? r.accesses.map((a) => `- ${a.sentence}`) : ['(no accesses recorded)']),
    '',
  ].join('\n');
}
