/** The authoring console's styles (appended to layout.tsx's sheet): desk-sized, same colours, light and dark. */
export const consoleCss = `
main.wide{max-width:72rem;font-size:18px}
.wide textarea{width:100%;min-height:5rem;font:inherit;font-size:1.05rem;padding:0.5rem;border:2px solid #bbb;border-radius:6px;background:#fff;color:#000}
.wide input[type=text],.wide select{font-size:1.05rem;min-height:2.6rem}
.wide input.date{width:5rem}.wide input.year{width:7rem}
.dates{display:flex;gap:1rem}.dates label{font-weight:400;margin:0}
fieldset{border:2px solid #555;border-radius:8px;margin:1rem 0;padding:0.4rem 1rem 0.8rem}
legend{font-weight:700;padding:0 0.3rem}
.check{display:flex;gap:0.6rem;align-items:center;margin:0.6rem 0}.check input{width:1.6rem;height:1.6rem}.check label{margin:0;font-weight:400}
.actions{display:flex;flex-wrap:wrap;gap:0.75rem;align-items:center}.actions button,.actions a.button{width:auto}
button.secondary{background:#333;color:#fff;border:2px solid #bbb}
.error-summary{border:4px solid #ff6b6b;padding:0.6rem 1rem;margin:1rem 0}.error-summary h2{border:0;margin:0.2rem 0}
.error-summary a{color:#ffb3b3;font-weight:700}
.field-error{color:#ffb3b3;font-weight:700;margin:0.2rem 0}
table{border-collapse:collapse;width:100%;margin:0.6rem 0}th,td{text-align:left;vertical-align:top;border-bottom:1px solid #555;padding:0.4rem 0.5rem}
.tag{display:inline-block;padding:0.1rem 0.5rem;border:2px solid currentColor;border-radius:4px;font-size:0.85rem;font-weight:700;white-space:nowrap}
.filters{display:flex;flex-wrap:wrap;gap:0.3rem 1rem;list-style:none;padding:0}.filters [aria-current]{font-weight:800;text-decoration:none}
nav.tasks ol{display:flex;flex-wrap:wrap;gap:0.2rem 1.2rem;list-style:none;padding:0}nav.tasks [aria-current]{font-weight:800}
nav.tasks .tag{font-size:0.75rem;padding:0 0.35rem}nav.tasks .task-not-started{background:transparent;border:1px solid currentColor}
.side{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.side>div{border:2px solid #555;border-radius:8px;padding:0.3rem 0.8rem}
ins{background:#0f4d1f;color:#fff;text-decoration:underline}del{background:#6b1010;color:#fff;text-decoration:line-through}
.figures{border-left:6px solid #9cd0ff;padding:0.3rem 0.8rem;margin:0.6rem 0}
.word-count.over{border-left-color:#ff6b6b}
.changed{border-color:#ffd400!important}
pre.words{white-space:pre-wrap;font:inherit;margin:0.3rem 0}
.card-preview img{max-width:100%;background:#fff;border:1px solid #888}
.responder-view{border:2px solid #555;border-radius:8px;padding:0.2rem 1rem;margin:0.6rem 0}.four-eyes{font-weight:700}
@media (prefers-color-scheme: light){
fieldset,.side>div,th,td,.responder-view{border-color:#888}.error-summary{border-color:#a00000}.error-summary a,.field-error{color:#a00000}
button.secondary{background:#f3f3f3;color:#000;border-color:#555}
ins{background:#c8f0d0;color:#000}del{background:#ffd0d0;color:#000}.figures{border-color:#12305e}.word-count.over{border-left-color:#a00000}
:focus-visible{outline-color:#0b0c0c;box-shadow:0 0 0 2px #ffd400}}
`;
