import { gazetteer } from './data/places.js';
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
