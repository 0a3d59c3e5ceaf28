import type { AccessReport } from '../../plans/access-log/report.js';
import { readableDate } from '../dates.js';

const css =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}li{margin:.5rem 0}.em{font-weight:bold}@media print{body{margin:0}}';

/**
 * "Who looked at your plan", printable for the person. A page of its own, not the service's layout: it
 * is handed or posted to the person, so it carries no navigation. Escaped throughout (purposes are free
 * text typed by responders).
 */
export function AccessReportPage({ report: r }: { report: AccessReport }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Who looked at your plan</title>
        <style>{css}</style>
      </head>
      <body>
        <h1>Who looked at your response plan</h1>
        <p>
          Plan reference {r.externalRef}. Report produced {readableDate(r.generatedAt)}. Times are London time.
        </p>
        {r.summary.map((s) => (
          <p>{s}</p>
        ))}
        <ol>
          {r.accesses.map((a) => (
            <li class={a.emergency ? 'em' : ''}>{a.sentence}</li>
          ))}
        </ol>
        {r.refused.length ? (
          <>
            <h2>Attempts that were refused</h2>
            <ol>
              {r.refused.map((a) => (
                <li>{a.sentence}</li>
              ))}
            </ol>
          </>
        ) : null}
      </body>
    </html>
  );
}
