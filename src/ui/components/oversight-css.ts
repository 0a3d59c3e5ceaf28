/** Styles for the wide, table-heavy auditor and administrator pages, appended to the layout's sheet. */
export const oversightCss = `
:focus-visible{outline:3px solid #ffd400;outline-offset:2px}
main.wide{max-width:76rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
nav.sub{display:flex;flex-wrap:wrap;gap:0.25rem 1.25rem;margin:0.5rem 0;font-size:0.95rem}
nav.sub a{display:inline-block;padding:0.6rem 0}
table{border-collapse:collapse;width:100%;font-size:0.9rem;margin:0.5rem 0 1rem}
caption{text-align:left;font-weight:700;font-size:1.05rem;padding:0.3rem 0}
th,td{border-bottom:1px solid #777;padding:0.45rem 0.5rem;text-align:left;vertical-align:top}
th{font-weight:700}
td ul{margin:0;padding-left:1rem}
.tag{display:inline-block;padding:0 0.4rem;border:2px solid currentColor;border-radius:4px;font-weight:700;font-size:0.85rem;white-space:nowrap}
.error-summary{border:4px solid #ff6b6b;padding:0.6rem 0.9rem;margin:0.75rem 0}
.error-summary h2{border:0;margin:0 0 0.3rem}
.banner{border:4px solid #3fb950;padding:0.6rem 0.9rem;margin:0.75rem 0;font-weight:600}
.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:0 1.25rem}
.date{display:flex;gap:0.75rem;flex-wrap:wrap}.date>div{flex:0 0 5rem}.date>div.year{flex:0 0 7rem}
.date label{font-weight:400;margin-top:0.2rem}
fieldset{border:0;padding:0;margin:0.75rem 0}
legend{font-weight:700;padding:0}
.choice{display:flex;align-items:center;gap:0.6rem;min-height:2.75rem}
.choice input{width:1.6rem;height:1.6rem;margin:0}
.choice label{display:inline;font-weight:400;margin:0}
textarea{width:100%;min-height:6rem;font:inherit;font-size:1.1rem;padding:0.6rem;border:2px solid #bbb;border-radius:6px;background:#fff;color:#000}
input[type=password]{width:100%;min-height:3rem;font-size:1.2rem;padding:0.6rem;border:2px solid #bbb;border-radius:6px;background:#fff;color:#000}
button.danger{background:#b4261a;color:#fff}
button.inline{width:auto}
.actions{display:flex;flex-wrap:wrap;gap:0.5rem 1.5rem;align-items:center}
.actions a{display:inline-block;padding:0.7rem 0}
.evidence{font-size:0.9rem}
@media (prefers-color-scheme: light){:focus-visible{outline-color:#000}.banner{border-color:#00703c}.error-summary{border-color:#b4261a}th,td{border-color:#999}}
@media print{
header,nav,form,.noprint{display:none !important}
body{background:#fff;color:#000;font:11pt/1.4 "DejaVu Sans",Arial,sans-serif}
main,main.wide{max-width:none;padding:0}
a{color:#000;text-decoration:none}
@page{size:A4;margin:18mm 16mm}
li{break-inside:avoid}
}
`;
