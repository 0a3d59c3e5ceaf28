import type { Child } from 'hono/jsx';
import type { HeaderLink } from './components/who.js';
import { oversightCss } from './components/oversight-css.js';
import { consoleCss } from './components/console-css.js';

/**
 * Every page: no scripts, no external resources, one small inline stylesheet. Dark by default because
 * it is read in a car or on a pavement at night; large type and strong contrast; light if the device
 * asks for it.
 */
const css = `
*{box-sizing:border-box}
body{margin:0;background:#0b0b0b;color:#f5f5f5;font:20px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
main{max-width:42rem;margin:0 auto;padding:0.75rem 1rem 3rem}
header{display:flex;flex-wrap:wrap;gap:0.5rem 1rem;align-items:baseline;justify-content:space-between;padding:0.5rem 1rem;background:#12305e;color:#fff;font-size:0.85rem}
header strong{font-size:1rem}
h1{font-size:1.6rem;line-height:1.2;margin:0.75rem 0}
h2{font-size:1.2rem;margin:1.5rem 0 0.4rem;border-bottom:2px solid #555;padding-bottom:0.2rem}
a{color:#9cd0ff}
p,ul,dl{margin:0.4rem 0}
ul{padding-left:1.2rem}
li{margin:0.25rem 0}
dt{font-weight:700;margin-top:0.4rem}
dd{margin:0 0 0.2rem 0}
.notice{border:3px solid #9cd0ff;padding:0.6rem 0.8rem;margin:0.75rem 0;font-weight:600}
.stale{background:#ffd400;color:#000;padding:0.7rem 0.9rem;margin:0.75rem 0;font-weight:800;font-size:1.1rem}
.warn{background:#5a0000;border-left:8px solid #ff6b6b;padding:0.6rem 0.8rem;margin:0.75rem 0}
.meta{color:#cfcfcf;font-size:0.9rem}
.summary{font-size:1.25rem;font-weight:600;border-left:6px solid #9cd0ff;padding-left:0.7rem}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;letter-spacing:0.08em}
label{display:block;font-weight:700;margin:0.75rem 0 0.3rem}
input[type=text],input[type=search],select{width:100%;min-height:3rem;font-size:1.2rem;padding:0.6rem;border:2px solid #bbb;border-radius:6px;background:#fff;color:#000}
[aria-invalid]{border-color:#ff6b6b;outline:3px solid #ff6b6b}
.hint{font-weight:400;font-size:0.85rem;color:#cfcfcf;margin:0.2rem 0 0}
.row{display:flex;gap:0.75rem}.row>div{flex:1 1 auto}.row>.narrow{flex:0 0 7rem}
.purpose{display:flex;flex-wrap:wrap;gap:0.25rem 1rem;justify-content:space-between;align-items:baseline;border-left:6px solid #ffd400;background:#1c1c1c;padding:0.5rem 0.8rem;margin:0.5rem 0}
.purpose a{display:inline-block;padding:0.4rem 0.2rem;min-width:3rem}
ol.results{list-style:none;padding:0}
ol.results>li{border:2px solid #555;border-radius:8px;margin:0.75rem 0;padding:0.3rem 0.8rem 0.6rem}
ol.results h2{border:0;margin:0;padding:0}
ol.results h2 a{display:block;padding:0.5rem 0;min-height:3rem}
.born{font-weight:700}
.why{color:#cfcfcf;font-size:0.9rem}
header a{color:#fff;text-decoration:none}
nav.consoles{display:flex;flex-wrap:wrap;gap:0 1rem}nav.consoles a{display:inline-block;padding:0.55rem 0;text-decoration:underline}
button{font-size:1.15rem;font-weight:700;min-height:3rem;padding:0.6rem 1.1rem;margin:0.6rem 0;border:0;border-radius:6px;background:#ffd400;color:#000;width:100%}
button.quiet{background:#333;color:#fff;width:auto;min-height:2.4rem;font-size:0.9rem;margin:0}
a.button{display:block;text-align:center;font-size:1.15rem;font-weight:700;padding:0.9rem 1.1rem;border-radius:6px;background:#ffd400;color:#000;text-decoration:none}
form.inline{display:inline;margin:0}
.err{color:#ffb3b3;font-weight:700}
@media (prefers-color-scheme: light){
body{background:#fff;color:#000}a{color:#0645ad}.meta,.hint,.why{color:#333}h2{border-color:#888}.purpose{background:#f3f3f3}header a{color:#fff}
.notice,.summary{border-color:#12305e}.warn{background:#ffe5e5;color:#000}.err{color:#a00000}
button.quiet{background:#ddd;color:#000}}
${consoleCss}
/* Responder UI (issue 15): skip link, focus, folded search form, compact result cards, back link. */
.skip{position:absolute;left:-9999px;top:0}
.skip:focus{left:0.5rem;top:0.5rem;z-index:10;padding:0.7rem 1rem;background:#ffd400;color:#000;font-weight:700}
.vh{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
:focus-visible{outline:4px solid #ffd400;outline-offset:2px}
button .meta{color:#000}
details.searched{margin:0.5rem 0}
details.searched>summary{list-style:none;cursor:pointer;display:flex;flex-wrap:wrap;gap:0 0.75rem;align-items:center;min-height:2.75rem;padding:0.3rem 0.8rem;border:2px solid #9cd0ff;border-radius:6px}
details.searched>summary::-webkit-details-marker{display:none}
details.searched .change{color:#9cd0ff;text-decoration:underline}
details.searched[open]>summary .change{display:none}
main>.purpose{font-size:0.85rem;padding:0.2rem 0.7rem;margin:0.4rem 0}
.notice.slim{font-size:0.8rem;font-weight:600;padding:0.25rem 0.6rem;margin:0.4rem 0;border-width:2px}
#found{font-size:1.15rem;margin:0.5rem 0 0}
#found+.meta{font-size:0.8rem;margin:0}
ol.results{margin:0.3rem 0}
ol.results>li{margin:0.4rem 0;padding:0 0.7rem 0.3rem}
ol.results h2{font-size:1.1rem}
ol.results h2 a{padding:0.2rem 0;min-height:2.75rem;display:flex;align-items:center;flex-wrap:wrap;gap:0 0.3rem}
dl.facts{margin:0;line-height:1.3;font-size:0.85rem}
dl.facts dt{display:inline;font-weight:400;margin:0;white-space:nowrap}
dl.facts dt::after{content:":"}
dl.facts dd{display:inline-block;max-width:100%;margin:0 0.9rem 0 0.25rem}
dl.facts dd.born{margin-left:0}
ol.results .why{margin:0.1rem 0 0;line-height:1.25;font-size:0.8rem}
p.back a{display:inline-block;padding:0.55rem 0;min-height:2.75rem}
.call{border:3px solid #ffd400;border-radius:8px;padding:0.2rem 0.8rem 0.4rem;margin:0.6rem 0}
.call h2{border:0;margin:0.2rem 0 0;padding:0;font-size:1.05rem}
.call ul{list-style:none;padding:0;margin:0}
.call a[href^="tel:"]{display:inline-block;min-height:2.75rem;padding:0.45rem 0;font-weight:700;font-size:1.15rem}
p.more{border-left:6px solid #ffd400;padding:0.25rem 0.6rem;font-size:0.85rem;font-weight:600;margin:0.3rem 0}
ul.orgs{list-style:none;padding:0}
ul.orgs a{display:flex;align-items:center;min-height:2.75rem;padding:0.3rem 0}
.advice{font-size:0.8rem;color:#cfcfcf;border-left:3px solid #777;padding-left:0.5rem;margin:0.5rem 0}
ol.results li,.meta,.call{overflow-wrap:anywhere}
@media (prefers-color-scheme: light){
:focus-visible{outline-color:#0b0b0b}
details.searched>summary{border-color:#12305e}details.searched .change{color:#0645ad}
.call{border-color:#12305e}.advice{color:#333}}
`;

export type LayoutProps = {
  title: string;
  /** Shown in the header so a shared device makes clear who is signed in. */
  signedInAs?: { sub: string; org: string; links?: readonly HeaderLink[] };
  /** Desk pages (the authoring console, auditors, administrators): a wider column on large screens. */
  wide?: boolean;
  children?: Child;
};

export function Layout({ title, signedInAs, wide, children }: LayoutProps) {
  return (
    <html lang="en-GB">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{`${title} · Crisis response plans`}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        {/* A constant of this file, never user data: the only raw HTML in the UI. */}
        <style dangerouslySetInnerHTML={{ __html: css + oversightCss }} />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to main content
        </a>
        <header>
          <strong>
            <a href="/">Crisis response plans</a>
          </strong>
          {signedInAs?.links ? (
            <nav class="consoles" aria-label="Your pages">
              {signedInAs.links.map((l) => (
                <a href={l.href}>{l.label}</a>
              ))}
            </nav>
          ) : null}
          {signedInAs ? (
            <span>
              {signedInAs.sub} ({signedInAs.org}){' '}
              <form class="inline" method="post" action="/sign-out">
                <button class="quiet" type="submit">
                  Sign out
                </button>
              </form>
            </span>
          ) : null}
        </header>
        <main id="main" tabindex={-1} class={wide ? 'wide' : undefined}>
          {children}
        </main>
      </body>
    </html>
  );
}
