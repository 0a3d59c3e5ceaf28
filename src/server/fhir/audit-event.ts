import type { AuditEvent, AuditEventAgent, AuditEventEntity } from '@medplum/fhirtypes';
import type { PresentedEvent } from '../../plans/access-log/queries.js';
import type { PlanEvents } from '../../plans/access-log/plan-events.js';
import { ACCESS_LOG_SYSTEM, orgSystem, ORG_SLUG_SYSTEM } from './systems.js';

export const BALP_PATIENT_READ = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead';
export const BALP_PATIENT_QUERY = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientQuery';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const ENTITY_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';

/** An IHE outcome: a refusal is the minor failure of a request that was understood and declined. */
const outcomeCode = (o: string) => (o === 'denied' ? '4' : '0');

function agents(e: PresentedEvent, serverName: string): AuditEventAgent[] {
  const user: AuditEventAgent = {
    type: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' }],
    },
    who: e.actor
      ? { identifier: { system: e.actor.org ? orgSystem(e.actor.org) : undefined, value: e.actor.sub } }
      : { display: 'unauthenticated caller' },
    requestor: true,
    ...(e.actor?.roles.length ? { role: e.actor.roles.map((r) => ({ text: r })) } : {}),
    ...(e.purpose ? { purposeOfUse: [{ text: e.purpose }] } : {}),
  };
  // BALP follows DICOM: the client is the Source Role, the server the Destination, whichever way data flows.
  const client: AuditEventAgent = {
    type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
    who: e.actor?.org ? { identifier: { system: ORG_SLUG_SYSTEM, value: e.actor.org } } : { display: 'unknown client' },
    requestor: false,
  };
  const server: AuditEventAgent = {
    type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] },
    who: { display: serverName },
    requestor: false,
  };
  return [user, client, server];
}

/**
 * One access event as a BALP AuditEvent: PatientQuery for searches, PatientRead for everything that opened
 * the plan. The event's chain position and hash are an entity identifier, so a receiver can match it
 * against a signed checkpoint (headSeq, headHash) or re-walk the chain with verify-audit.
 */
export function auditEventOf(e: PresentedEvent, plan: PlanEvents['plan'], serverName: string): AuditEvent {
  const query = e.action === 'search';
  const patient: AuditEventEntity = {
    what: { type: 'Patient', identifier: { system: orgSystem(plan.owningOrg), value: plan.externalRef } },
    type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
    role: { system: ENTITY_ROLE, code: '1', display: 'Patient' },
  };
  const data: AuditEventEntity = query
    ? {
        type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
        role: { system: ENTITY_ROLE, code: '24', display: 'Query' },
        // BALP carries the query itself; the log keeps only the keys of the search, never shown in full here.
        query: Buffer.from(`action=search&channel=${e.channel}`).toString('base64'),
      }
    : {
        what: { reference: `CarePlan/${plan.planId}` },
        type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
        role: { system: ENTITY_ROLE, code: '4', display: 'Domain Resource' },
        ...(e.versionId !== null ? { detail: [{ type: 'versionId', valueString: String(e.versionId) }] } : {}),
      };
  const logEntry: AuditEventEntity = {
    what: { identifier: { system: ACCESS_LOG_SYSTEM, value: String(e.seq) } },
    type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
    name: 'access-log entry',
    detail: [
      { type: 'hash', valueString: e.hash },
      { type: 'action', valueString: e.action },
      { type: 'channel', valueString: e.channel },
    ],
  };
  return {
    resourceType: 'AuditEvent',
    id: String(e.seq),
    meta: { profile: [query ? BALP_PATIENT_QUERY : BALP_PATIENT_READ] },
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'Restful Operation' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: query ? 'search' : 'read', display: query ? 'search' : 'read' }],
    action: query ? 'E' : 'R',
    recorded: e.at,
    outcome: outcomeCode(e.outcome),
    ...(e.reason ? { outcomeDesc: e.reason } : {}),
    ...(e.outcome === 'emergency'
      ? {
          purposeOfEvent: [
            { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT', display: 'Emergency Treatment' }] },
          ],
        }
      : {}),
    agent: agents(e, serverName),
    source: {
      observer: { display: serverName },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
    },
    entity: [patient, data, logEntry],
  };
}
