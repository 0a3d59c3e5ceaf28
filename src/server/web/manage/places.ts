import { resolvePlace } from '../../../search/places.js';
import type { FieldError, FormValues } from './form.js';

const ROWS = 'locations';
const blank = (s: string | undefined) => !s || s.trim() === '';

/**
 * Places typed by name or postcode: a row with a place but no latitude and longitude gets the position
 * of the gazetteer place or postcode district it names (the list shipped with the service; nothing is
 * looked up outside it), and the place's own spelling. Coordinates typed by hand are kept as they are:
 * they are for an exact spot. A name the service does not know is refused on its field, with what was
 * typed kept on the page.
 */
export function placesTyped(values: FormValues): { values: FormValues; errors: FieldError[] } {
  const out = { ...values };
  const errors: FieldError[] = [];
  const n = Number(values[`${ROWS}.count`] ?? 0);
  for (let i = 0; Number.isInteger(n) && i < Math.min(n, 20); i++) {
    const key = (f: string) => `${ROWS}.${i}.${f}`;
    const label = values[key('label')] ?? '';
    if (blank(label) || !blank(values[key('lat')]) || !blank(values[key('lng')])) continue;
    const hit = resolvePlace(label);
    // A bare "lat,lng" typed into the place box is a point, not a place name: it needs a name of its own.
    if (!hit || hit.label.startsWith('point ')) {
      errors.push({
        field: key('label'),
        anchor: key('label'),
        message: `Places they are often found, place ${i + 1}: the service does not know “${label.trim()}”. Type a place it knows (for example Waterloo Bridge) or a postcode in the area (for example SE1 7PB), or give the latitude and longitude`,
      });
      continue;
    }
    const [lat, lng] = hit.near.split(',');
    out[key('label')] = hit.label;
    out[key('lat')] = lat!;
    out[key('lng')] = lng!;
  }
  return { values: out, errors };
}
