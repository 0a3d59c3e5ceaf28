import { isHealthOrg } from './actor.js';
import type { OrgKind, PlanContent, SectionKey } from './content.js';

/** Clinical sections go to health responders only (ambulance, ED, mental-health); police see the rest. */
export const healthOnlySections: readonly SectionKey[] = ['diagnosis', 'capacity'];

export type ResponderContent = Partial<PlanContent>;

/**
 * The plan as a responder of `kind` may see it: clinical sections withheld from police, and nominated
 * people who did not consent to be contacted left out for everyone outside the care team.
 */
export function contentForAudience(
  content: PlanContent,
  kind: OrgKind,
  { careTeamView }: { careTeamView: boolean },
): { content: ResponderContent; withheldSections: SectionKey[] } {
  const visible: ResponderContent = { ...content };
  const withheldSections: SectionKey[] = [];
  if (!isHealthOrg(kind)) {
    for (const key of healthOnlySections) {
      if (content[key] !== undefined) withheldSections.push(key);
      delete visible[key];
    }
  }
  if (!careTeamView) visible.nominatedPeople = content.nominatedPeople.filter((p) => p.consentToContact);
  return { content: visible, withheldSections };
}

/** The responders a plan is shared with, each reading it as contentForAudience gives it to their kind. */
export const responderKinds = ['police', 'ambulance', 'emergency-department'] as const satisfies readonly OrgKind[];
export type ResponderKind = (typeof responderKinds)[number];
