import { describe, expect, it } from 'vitest';
import { londonPlaces } from '../../src/plans/demo/synthetic.js';
import { gazetteer } from '../../src/search/data/places.js';

describe('the search gazetteer', () => {
  it('holds every place the synthetic plans use, at the same coordinates', () => {
    const known = new Map(gazetteer.map(([label, lat, lng]) => [label, `${lat},${lng}`]));
    for (const [label, lat, lng] of londonPlaces) expect(known.get(label), label).toBe(`${lat},${lng}`);
  });
});
