import { sectionTitles } from '../../plans/core/content.js';
import type { Readability } from '../../plans/versions/readability.js';
import { RESPONDER_WORDS_PER_MINUTE } from '../../plans/versions/readability.js';

// The authoring console calls the summary by the length it should be.
const sectionNames: Record<string, string> = { ...sectionTitles, summary: '30-second summary' };
export const sectionName = (key: string) => sectionNames[key] ?? key;

export const duration = (seconds: number) =>
  seconds < 60 ? `${seconds} seconds` : `${Math.floor(seconds / 60)} min ${seconds % 60 ? `${seconds % 60} s` : ''}`.trim();

/** The summary's length, recounted on every save (there are no scripts to count as you type). */
export function SummaryCount({ r }: { r: Readability }) {
  const { words, seconds, warnAt, overLimit } = r.summary;
  return (
    <div class={`figures word-count${overLimit ? ' over' : ''}`} id="summary-count">
      <p>
        Summary: <strong>{words} words</strong>, about {duration(seconds)} to read.
      </p>
      {overLimit ? (
        <p class="field-error">
          This summary is longer than {warnAt} words. A responder reads it in the street, under stress: shorten it to what they must know
          first.
        </p>
      ) : (
        <p class="hint">Keep it to {warnAt} words or fewer. Counted when you save.</p>
      )}
    </div>
  );
}

/** How long a responder needs for the whole plan, and each section's share. */
export function PlanLength({ r, title = 'How long it takes to read' }: { r: Readability; title?: string }) {
  return (
    <section aria-labelledby="length-title">
      <h2 id="length-title">{title}</h2>
      <p>
        The whole plan: <strong>{r.total.words} words</strong>, about <strong>{duration(r.total.seconds)}</strong> for a responder (counted
        at {RESPONDER_WORDS_PER_MINUTE} words a minute, reading under stress).
      </p>
      {r.summary.overLimit ? (
        <p class="field-error">
          The summary is over {r.summary.warnAt} words ({r.summary.words}).
        </p>
      ) : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Section</th>
            <th scope="col">Words</th>
            <th scope="col">Reading time</th>
          </tr>
        </thead>
        <tbody>
          {r.sections.map((s) => (
            <tr>
              <td>{sectionName(s.section)}</td>
              <td>{s.words}</td>
              <td>{duration(s.seconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
