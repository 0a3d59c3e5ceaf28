import type { Db } from '../../../db/index.js';
import type { Role } from '../core/actor.js';
import { isoDay } from '../core/clock.js';
import { importRecords, type ImportSummary } from '../versions/importer.js';
import { addDataSharingAgreement, addOrganisation, getOrganisation, type NewOrganisation } from '../organisations.js';
import { syntheticRecords } from './synthetic.js';

/** Invented organisations for the demo and tests. `shire-police` has no agreement: access is refused. */
export const demoOrganisations: NewOrganisation[] = [
  {
    slug: 'southbank-mh',
    name: 'Southbank Mental Health Trust',
    kind: 'mental-health',
    contact: 'Southbank crisis team, 24/7: 0800 000 0101',
  },
  {
    slug: 'northgate-mh',
    name: 'Northgate Mental Health Trust',
    kind: 'mental-health',
    contact: 'Northgate crisis team, 24/7: 0800 000 0202',
  },
  { slug: 'capital-police', name: 'Capital Police Service', kind: 'police' },
  { slug: 'metro-ambulance', name: 'Metro Ambulance Service', kind: 'ambulance' },
  { slug: 'st-brigid-ed', name: "St Brigid's Hospital Emergency Department", kind: 'emergency-department' },
  { slug: 'shire-police', name: 'Shire Constabulary (no agreement)', kind: 'police' },
];
export const DEMO_DSA = 'DSA-DEMO-001';
/**
 * One demo OpenID provider (`npm run dev:oidc`) serves every demo organisation, as NHS CIS2 serves every
 * trust: it says which organisation a person belongs to in this claim, with these synthetic codes (in the
 * style of ODS codes), and each organisation is configured to expect its own.
 */
export const DEMO_ORG_CLAIM = 'org_code';
export const demoOrgCodes: Record<string, string> = {
  'southbank-mh': 'XSB01',
  'northgate-mh': 'XNG01',
  'capital-police': 'XCP01',
  'metro-ambulance': 'XMA01',
  'st-brigid-ed': 'XSE01',
  'shire-police': 'XSP01',
};
export const demoPlanOwners = ['southbank-mh', 'northgate-mh'];

/** One demo identity per role, for the printed sign-in help and the demo sign-in page. */
export const demoUsers: { sub: string; org: string; roles: Role[]; label: string }[] = [
  { sub: 'demo.officer', org: 'capital-police', roles: ['responder'], label: 'Police response officer' },
  { sub: 'demo.paramedic', org: 'metro-ambulance', roles: ['responder'], label: 'Paramedic' },
  { sub: 'demo.nurse', org: 'st-brigid-ed', roles: ['responder'], label: 'ED triage nurse' },
  { sub: 'demo.author', org: 'southbank-mh', roles: ['author'], label: 'Care coordinator (author)' },
  { sub: 'demo.approver', org: 'southbank-mh', roles: ['approver'], label: 'Lead clinician (approver)' },
  { sub: 'demo.auditor', org: 'southbank-mh', roles: ['auditor'], label: 'Information-governance lead (auditor)' },
  { sub: 'demo.admin', org: 'southbank-mh', roles: ['admin'], label: 'Administrator' },
  { sub: 'demo.outsider', org: 'shire-police', roles: ['responder'], label: 'Officer from a force with no agreement' },
  // An agreement needs every party's administrator (issue 20): one per organisation a demo proposal names.
  { sub: 'demo.police-admin', org: 'capital-police', roles: ['admin'], label: 'Administrator, Capital Police' },
  { sub: 'demo.shire-admin', org: 'shire-police', roles: ['admin'], label: 'Administrator, Shire Constabulary' },
  { sub: 'demo.northgate-admin', org: 'northgate-mh', roles: ['admin'], label: 'Administrator, Northgate trust' },
];

/** Adds whichever demo organisations and the demo agreement are missing (idempotent). */
export async function ensureDemoOrganisations(db: Db, now: Date): Promise<void> {
  for (const org of demoOrganisations) {
    if (!(await getOrganisation(db, org.slug))) await addOrganisation(db, org, now);
  }
  const year = now.getUTCFullYear();
  const parties = demoOrganisations.filter((o) => o.slug !== 'shire-police').map((o) => o.slug);
  await addDataSharingAgreement(db, { reference: DEMO_DSA, parties, validFrom: `${year - 1}-01-01`, validTo: `${year + 2}-12-31` }, now);
}

export async function seedSyntheticPlans(
  db: Db,
  count: number,
  opts: { seed?: number; now: () => Date; onProgress?: (done: number, total: number) => void },
): Promise<ImportSummary> {
  await ensureDemoOrganisations(db, opts.now());
  const records = syntheticRecords(count, { seed: opts.seed ?? 42, owningOrgs: demoPlanOwners, today: isoDay(opts.now()) });
  return importRecords(db, records, { importedBy: 'seed', now: opts.now, onProgress: opts.onProgress, total: count });
}
