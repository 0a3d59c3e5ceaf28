import { gazetteer, postcodeDistricts } from './data/places.js';
import { words } from './normalise.js';

/**
 * The places a responder can pick for "near" on the search page: public places where crises recur
 * (bridges, stations, parks; never homes). This is the demo gazetteer the synthetic plans use; a
 * deployment would list its own area's places here. The value sent is the API's `near` (LAT,LNG).
 */
export type KnownPlace = { label: string; near: string };

export const knownPlaces: readonly KnownPlace[] = gazetteer
  .map(([label, lat, lng]) => ({ label, near: `${lat},${lng}` }))
  .sort((a, b) => a.label.localeCompare(b.label, 'en-GB'));

/** Radius choices offered with a place, in metres (the API's default, 500 m, is preselected). */
export const withinChoices = [200, 500, 1000, 2000] as const;

const labelled = gazetteer
  .map(([label, lat, lng]) => ({ label, lat, lng, words: words(label).filter((w) => w.length > 1) }))
  .sort((a, b) => b.words.length - a.words.length);

/** A gazetteer place named in the query's words ("aoife waterloo bridge"), the most specific first. */
export function placeNamedIn(tokens: readonly string[]): { label: string; lat: number; lng: number } | undefined {
  const have = new Set(tokens);
  const hit = labelled.find((p) => p.words.length > 0 && p.words.every((w) => have.has(w)));
  return hit && { label: hit.label, lat: hit.lat, lng: hit.lng };
}

/** A postcode's outward code ("SE1 7PB" → "SE1", "SW1A 2AA" → "SW1A"), upper case; undefined if it is not one. */
function outwardCode(typed: string): string | undefined {
  const m = /^([A-Z]{1,2}\d[A-Z\d]?)(?:\s*\d[A-Z]{2})?$/.exec(typed.toUpperCase().replace(/\s+/g, ' ').trim());
  return m?.[1];
}

const districts = new Map(postcodeDistricts.map(([code, lat, lng]) => [code, { lat, lng }]));

/**
 * What a responder typed for "near": a place from the gazetteer by name (any case; "waterloo bridge"),
 * a postcode or postcode district of the area ("SE1", "SE1 7PB", "SW1A 2AA" → SW1), or a point as
 * `LAT,LNG` (shared links, a device's location). Undefined when the service does not know it.
 */
export function resolvePlace(typed: string): { label: string; near: string } | undefined {
  const t = typed.trim();
  if (t === '') return undefined;
  if (/^-?\d{1,3}(\.\d+)?,\s*-?\d{1,3}(\.\d+)?$/.test(t)) {
    const known = knownPlaces.find((p) => p.near === t.replace(/\s+/g, ''));
    return { label: known?.label ?? `point ${t}`, near: t.replace(/\s+/g, '') };
  }
  const lower = t.toLowerCase().replace(/\s+/g, ' ');
  const named = knownPlaces.find((p) => p.label.toLowerCase() === lower);
  if (named) return named;
  const code = outwardCode(t);
  if (code) {
    // SW1A, EC1V, W1K: the gazetteer may only know the district (SW1, EC1, W1).
    const hit = districts.get(code) ?? districts.get(code.replace(/[A-Z]$/, ''));
    if (hit) return { label: t.toUpperCase().replace(/\s+/g, ' '), near: `${hit.lat},${hit.lng}` };
  }
  return undefined;
}

/** What the "near" field suggests as the responder types (a datalist): every named place, then districts. */
export const placeSuggestions: readonly string[] = [...knownPlaces.map((p) => p.label), ...postcodeDistricts.map(([code]) => code)];
