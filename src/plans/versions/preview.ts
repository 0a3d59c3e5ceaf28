import { z } from 'zod';
import { contentForAudience, responderKinds, type ResponderKind } from '../core/audience.js';
import type { PlanContent, PlanLocation, Subject } from '../core/content.js';
import { ADVICE_NOTICE, type PlanView } from './read.js';

/**
 * A version not yet published, as a responder of `kind` outside the care team would be shown it once it
 * is: the same audience rule (audience.ts) as the read path, so an author's preview and an approver's
 * review show exactly what each responder will read. Callers have already been allowed the version's
 * content (console.ts, review.ts).
 */
export function previewFor(
  version: { subject: Subject; locations: PlanLocation[]; content: PlanContent },
  kind: ResponderKind,
): Pick<PlanView, 'subject' | 'locations' | 'content' | 'withheldSections' | 'notice'> {
  const { content, withheldSections } = contentForAudience(version.content, kind, { careTeamView: false });
  return { subject: version.subject, locations: version.locations, content, withheldSections, notice: ADVICE_NOTICE };
}

/** `?as=` on the console's previews; without it, a health responder's view, the fullest one. */
export const previewQuerySchema = z
  .enum(responderKinds, { error: 'must be police, ambulance or emergency-department' })
  .default('ambulance');
