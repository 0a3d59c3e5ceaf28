/**
 * Identifier and code systems the FHIR interface uses. The externalRef of a plan is only unique within its
 * owning organisation, so each organisation gets its own system URI (README, FHIR section).
 */
export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
export const ORG_SYSTEM_PREFIX = 'urn:response-plans:org:';
export const orgSystem = (slug: string) => `${ORG_SYSTEM_PREFIX}${slug}`;
/** Organisations themselves, by slug. */
export const ORG_SLUG_SYSTEM = 'urn:response-plans:org';
/** Plan sections (the keys of the plan record, CONTRACTS §3) as codes. */
export const SECTION_SYSTEM = 'urn:response-plans:plan-section';
/** Access-log entries by chain position (seq); a checkpoint signs (headSeq, headHash). */
export const ACCESS_LOG_SYSTEM = 'urn:response-plans:access-log';

const EXT = 'urn:response-plans:fhir:extension:';
export const WITHHELD_SECTION_EXT = `${EXT}withheld-section`;
export const SECTION_EXT = `${EXT}plan-section`;
export const CUSTODIAN_EXT = `${EXT}custodian`;
export const STALE_EXT = `${EXT}review-overdue`;

export const FHIR_JSON = 'application/fhir+json';
