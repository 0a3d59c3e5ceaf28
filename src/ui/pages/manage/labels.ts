import { sectionName } from '../../components/readability.js';
import { sectionOfPath, sections } from './spec.js';

// The form's own labels, by record path: a change is named as the author wrote it.
const formLabels = new Map(sections.flatMap((s) => s.items.map((i) => [i.name, i.label] as const)));
// Fields with no form of their own (records imported from another system).
const unformed: Record<string, string> = { 'governance.approvedBy': 'Approved in the system it came from' };

/**
 * A changed part of a record (diff.ts's `subject.givenNames`, `plan.summary`, `locations`) in the words
 * people see: the plan's section titles, and the form's section and label for the person and agreement.
 */
export function changeLabel(path: string): string {
  const [area, key] = path.split('.') as [string, string | undefined];
  if (area === 'plan') return sectionName(key!);
  const label = formLabels.get(path) ?? unformed[path] ?? key ?? path;
  const section = sectionOfPath(path)?.title ?? (area === 'governance' ? 'Agreement and review' : 'About the person');
  return path === 'locations' ? label : `${section}: ${label}`;
}
