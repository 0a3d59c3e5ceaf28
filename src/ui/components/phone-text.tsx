/**
 * Phone numbers in text become `tel:` links, so a responder in a car or at a scene calls with one tap:
 * UK numbers as plans write them (0800 000 0101, 020 7946 0000, 07700 900123, +44 (0)20 7946 0000) and
 * the short lines 111 and 116 123. Everything else stays text, escaped by JSX as always. 999 and 112 are
 * never links: the reader is the emergency service, and a "999 if at risk" in a plan made the emergency
 * number the first tap target of the crisis section (issue 21).
 * Lookbehind/lookahead keep a number from being cut out of a longer run of digits or a word.
 */
const NUMBER = /(?<![\w+])(?:\+44[ -]?(?:\(0\)[ -]?)?\d(?:[ -]?\d){8,9}|0\d(?:[ -]?\d){8,9}|116[ -]?1\d\d|111)(?![\w])/g;

/** What the phone dials: digits (and a leading +) only; "+44 (0)20…" drops the trunk 0. */
export const dialString = (shown: string) => shown.replace(/[^\d+]/g, '').replace(/^\+440/, '+44');

export function phoneParts(text: string): ({ text: string } | { tel: string })[] {
  const parts: ({ text: string } | { tel: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(NUMBER)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    parts.push({ tel: m[0] });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

export function PhoneText(props: { text: string | undefined | null }) {
  if (!props.text) return null;
  return <>{phoneParts(props.text).map((p) => ('tel' in p ? <a href={`tel:${dialString(p.tel)}`}>{p.tel}</a> : p.text))}</>;
}

/** A phone field: its numbers linked; a field with no recognisable number is still dialled as written. */
export function Phone(props: { n: string | undefined }) {
  if (!props.n) return null;
  if (phoneParts(props.n).some((p) => 'tel' in p)) return <PhoneText text={props.n} />;
  const dial = dialString(props.n);
  return dial.replace('+', '').length >= 3 ? <a href={`tel:${dial}`}>{props.n}</a> : props.n;
}
