import { knownPlaces, resolvePlace } from '../../../search/places.js';

/** How a saved place's position was found, so the author can check it is where they meant. */
export type LocatedPlace = { label: string; lat: number; lng: number; how: string };

export function located(locations: readonly { label: string; lat: number; lng: number }[]): LocatedPlace[] {
  return locations.map((l) => {
    const hit = resolvePlace(l.label);
    const same = hit?.near === `${l.lat},${l.lng}`;
    const how = !same
      ? 'the latitude and longitude typed in'
      : knownPlaces.some((k) => k.label === hit!.label)
        ? 'a place the service knows'
        : `the middle of postcode district ${l.label.replace(/\s*\d[A-Z]{2}$/i, '').toUpperCase()}, a rough position`;
    return { ...l, how };
  });
}
