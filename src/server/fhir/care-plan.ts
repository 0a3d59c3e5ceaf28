import type { Annotation, CarePlan, CarePlanActivity, Extension, HumanName, Organization, Patient } from '@medplum/fhirtypes';
import { sectionTitles, type SectionKey, type Subject } from '../../plans/core/content.js';
import type { PlanView } from '../../plans/versions/read.js';
import {
  CUSTODIAN_EXT,
  NHS_NUMBER_SYSTEM,
  ORG_SLUG_SYSTEM,
  orgSystem,
  SECTION_EXT,
  SECTION_SYSTEM,
  STALE_EXT,
  WITHHELD_SECTION_EXT,
} from './systems.js';

const gender: Record<NonNullable<Subject['sex']>, Patient['gender']> = {
  female: 'female',
  male: 'male',
  other: 'other',
  'not-known': 'unknown',
  'not-stated': 'unknown',
};

const sectionCode = (key: SectionKey) => ({
  coding: [{ system: SECTION_SYSTEM, code: key, display: sectionTitles[key] }],
  text: sectionTitles[key],
});

/** Responders act on the guidance; nothing here is scheduled, so every activity is "not started". */
function activity(key: SectionKey, description: string, extra: { doNotPerform?: boolean; location?: string } = {}): CarePlanActivity {
  return {
    detail: {
      code: sectionCode(key),
      status: 'not-started',
      description,
      ...(extra.doNotPerform ? { doNotPerform: true } : {}),
      ...(extra.location ? { location: { display: extra.location } } : {}),
    },
  };
}

const note = (key: SectionKey | 'notice' | 'locations', text: string): Annotation => ({
  extension: [{ url: SECTION_EXT, valueCode: key }],
  text,
});

const joined = (...parts: (string | undefined | false)[]) => parts.filter(Boolean).join('; ');

function activities(c: PlanView['content']): CarePlanActivity[] {
  return [
    ...(c.whatHelps ?? []).map((t) => activity('whatHelps', t)),
    ...(c.whatToAvoid ?? []).map((t) => activity('whatToAvoid', t, { doNotPerform: true })),
    ...(c.boundaries ?? []).map((b) => activity('boundaries', `${b.boundary} If breached: ${b.ifBreached}`)),
    ...(c.personWillDo ? [activity('personWillDo', c.personWillDo)] : []),
    ...(c.personCanExpect ? [activity('personCanExpect', c.personCanExpect)] : []),
    ...(c.placesOfSafety ?? []).map((p) =>
      activity('placesOfSafety', joined(p.name, p.address, p.phone && `phone ${p.phone}`), { location: p.name }),
    ),
    ...(c.nominatedPeople ?? []).map((p) =>
      activity(
        'nominatedPeople',
        joined(
          `Contact ${p.name}`,
          p.relationship,
          p.phone && `phone ${p.phone}`,
          p.consentToContact ? 'consents to be contacted' : 'care team only',
        ),
      ),
    ),
    ...(c.careTeam ?? []).map((m) =>
      activity(
        'careTeam',
        joined(`Contact ${m.name}`, m.role, m.org, m.phone && `phone ${m.phone}`, m.outOfHours && `out of hours: ${m.outOfHours}`),
      ),
    ),
  ];
}

function notes(view: PlanView): Annotation[] {
  const c = view.content;
  return [
    note('notice', view.notice),
    ...(c.diagnosis ? [note('diagnosis', joined(c.diagnosis.text, c.diagnosis.plainLanguage))] : []),
    ...(c.capacity ? [note('capacity', c.capacity)] : []),
    ...(c.crisisBehaviours ?? []).map((b) =>
      note(
        'crisisBehaviours',
        joined(b.behaviour, b.triggers && `triggers: ${b.triggers}`, b.earlyWarningSigns && `early warning signs: ${b.earlyWarningSigns}`),
      ),
    ),
    ...(c.inTheirOwnWords ? [note('inTheirOwnWords', c.inTheirOwnWords)] : []),
    ...view.locations.map((l) => note('locations', joined(`${l.label} (${l.lat}, ${l.lng})`, l.note))),
  ];
}

function patient(s: Subject): Patient {
  const names: HumanName[] = [
    { use: 'official', family: s.familyName, given: s.givenNames.split(/\s+/) },
    ...(s.preferredName ? [{ use: 'usual' as const, given: [s.preferredName] }] : []),
    ...s.aliases.map((a) => ({ use: 'nickname' as const, text: a })),
  ];
  return {
    resourceType: 'Patient',
    id: 'subject',
    ...(s.nhsNumber ? { identifier: [{ system: NHS_NUMBER_SYSTEM, value: s.nhsNumber.replace(/\D/g, '') }] } : {}),
    name: names,
    birthDate: s.dateOfBirth,
    ...(s.sex ? { gender: gender[s.sex] } : {}),
  };
}

const organisation = (org: PlanView['owningOrg']): Organization => ({
  resourceType: 'Organization',
  id: 'owner',
  identifier: [{ system: ORG_SLUG_SYSTEM, value: org.slug }],
  name: org.name,
});

/**
 * The reader's view of a plan as a CarePlan. Only what the view holds is mapped, so sections the domain
 * withheld (police never get diagnosis or capacity) cannot reach FHIR; they are named in meta.security
 * and an extension so the receiver knows the plan is partial rather than that the section is empty.
 */
export function carePlanOf(view: PlanView): CarePlan {
  const withheld: Extension[] = view.withheldSections.map((key) => ({ url: WITHHELD_SECTION_EXT, valueCode: key }));
  const ownerRef = { reference: '#owner', display: view.owningOrg.name };
  return {
    resourceType: 'CarePlan',
    id: view.planId,
    meta: {
      versionId: String(view.version),
      lastUpdated: view.publishedAt,
      ...(withheld.length
        ? { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'REDACTED', display: 'redacted' }] }
        : {}),
    },
    contained: [patient(view.subject), organisation(view.owningOrg)],
    extension: [
      { url: CUSTODIAN_EXT, valueReference: ownerRef },
      ...(view.stale ? [{ url: STALE_EXT, valueBoolean: true }] : []),
      ...withheld,
    ],
    identifier: [{ system: orgSystem(view.owningOrg.slug), value: view.externalRef }],
    status: 'active',
    intent: 'plan',
    title: 'Mental-health crisis response plan',
    description: view.content.summary,
    subject: { reference: '#subject' },
    period: { start: view.publishedAt, end: view.reviewBy },
    author: ownerRef,
    activity: activities(view.content),
    note: notes(view),
  };
}

/** A withdrawn plan: no content (the domain releases none), only that it is revoked and whom to ask. */
export function revokedCarePlan(planId: string, owner: { name?: unknown; contact?: unknown }): CarePlan {
  const name = typeof owner.name === 'string' ? owner.name : 'the owning organisation';
  const contact = typeof owner.contact === 'string' && owner.contact ? ` Contact: ${owner.contact}.` : '';
  return {
    resourceType: 'CarePlan',
    id: planId,
    status: 'revoked',
    intent: 'plan',
    subject: { display: 'withheld: the plan was withdrawn' },
    note: [{ text: `This plan was withdrawn by ${name}.${contact}` }],
  };
}
