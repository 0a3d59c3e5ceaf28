import type { WordPart } from '../../plans/versions/word-diff.js';

/** One side of a changed section: the words kept, and those this side added (ins) or lost (del). */
export function Words({ parts, show }: { parts: WordPart[]; show: 'removed' | 'added' }) {
  return (
    <pre class="words">
      {parts.map((p) =>
        p.change === undefined ? p.text : p.change !== show ? null : show === 'added' ? <ins>{p.text}</ins> : <del>{p.text}</del>,
      )}
    </pre>
  );
}

/** Before and after side by side, as the review and the history's compare both show a change. */
export function SideBySide({
  parts,
  before,
  after,
  level = 'h4',
}: {
  parts: WordPart[];
  before: string;
  after: string;
  level?: 'h4' | 'h5';
}) {
  const H = level;
  return (
    <div class="side">
      <div class="changed">
        <H>{before}</H>
        <Words parts={parts} show="removed" />
      </div>
      <div class="changed">
        <H>{after}</H>
        <Words parts={parts} show="added" />
      </div>
    </div>
  );
}
