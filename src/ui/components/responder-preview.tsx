import { responderKinds, type ResponderKind } from '../../plans/core/audience.js';
import { PlanBody, type PlanBodyView } from '../pages/plan.js';

export const responderName: Record<ResponderKind, string> = {
  police: 'Police',
  ambulance: 'Ambulance',
  'emergency-department': 'Emergency department',
};
const seenBy: Record<ResponderKind, string> = {
  police: 'the police',
  ambulance: 'ambulance crews',
  'emergency-department': 'emergency departments',
};

/**
 * A version as each kind of responder will read it, with links (not script) to switch between them: the
 * responder page's own body (PlanBody), so the console shows what responders get, not a copy of it.
 */
export function ResponderPreview(p: {
  view: PlanBodyView;
  as: ResponderKind;
  href: (kind: ResponderKind) => string;
  title: string;
  version?: unknown;
}) {
  return (
    <section id="as-responders" aria-labelledby="as-responders-title" class="as-responders">
      <h2 id="as-responders-title">{p.title}</h2>
      <nav aria-label="See it as">
        <ul class="filters">
          {responderKinds.map((k) => (
            <li>
              <a href={`${p.href(k)}#as-responders`} aria-current={k === p.as ? 'page' : undefined}>
                As {seenBy[k]} see it
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <p class="meta">
        Shown as {seenBy[p.as]} will see it once it is published. Nominated people who have not agreed to be contacted are left out, as they
        are for every responder outside the care team.
      </p>
      <div class="responder-view">
        <PlanBody view={p.view} level={3} version={p.version} withheldFrom={seenBy[p.as]} />
      </div>
    </section>
  );
}
