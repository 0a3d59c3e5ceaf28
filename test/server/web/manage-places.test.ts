import { describe, expect, it } from 'vitest';
import { findVersion } from '../../../src/plans/versions/store.js';
import { testApp } from '../../helpers.js';
import { signedIn } from './helpers.js';

const newPlan = {
  externalRef: 'SB-PLACES',
  'subject.givenNames': 'Nia',
  'subject.familyName': 'Testperson',
  'subject.dateOfBirth.day': '14',
  'subject.dateOfBirth.month': '3',
  'subject.dateOfBirth.year': '1991',
  'plan.summary': 'Speak calmly. One responder.',
  'governance.lawfulBasis': 'public-task',
  'governance.reviewBy.day': '1',
  'governance.reviewBy.month': '4',
  'governance.reviewBy.year': '2027',
};
const row = (i: number, label: string, lat = '', lng = '') => ({
  [`locations.${i}.label`]: label,
  [`locations.${i}.lat`]: lat,
  [`locations.${i}.lng`]: lng,
});

describe('places by name or postcode in the console', () => {
  it('finds a known place or a postcode from the gazetteer, keeps typed coordinates for an exact spot, and shows where each place is after saving', async () => {
    const t = await testApp();
    const b = await signedIn(t, 'demo.author');
    const planId = (await b.post('/manage/plans/new', newPlan)).location!.match(/\/manage\/plans\/([^/]+)\//)![1]!;
    const url = `/manage/plans/${planId}/edit?section=places`;

    const saved = await b.post(url, {
      'plan.placesOfSafety.count': '0',
      'locations.count': '3',
      ...row(0, '  waterloo   bridge '),
      ...row(1, 'se1 7pb'),
      ...row(2, 'Bench by the river', '51.49', '-0.12'),
      save: 'stay',
    });
    expect(saved.status).toBe(303);
    expect((await findVersion(t.db, planId, 1))!.locations).toEqual([
      { label: 'Waterloo Bridge', lat: 51.5087, lng: -0.117 },
      { label: 'SE1 7PB', lat: 51.5005, lng: -0.1035 },
      { label: 'Bench by the river', lat: 51.49, lng: -0.12 },
    ]);
    const page = await b.get(saved.location!);
    expect(page.text).toContain('Where responders will look for them');
    expect(page.text).toContain('Waterloo Bridge: 51.5087, -0.117 (a place the service knows)');
    expect(page.text).toContain('SE1 7PB: 51.5005, -0.1035 (the middle of postcode district SE1, a rough position)');
    expect(page.text).toContain('Bench by the river: 51.49, -0.12 (the latitude and longitude typed in)');
    expect(page.text).toContain('value="51.5087"');
  });

  it('refuses a place the service does not know on its own field, keeping what was typed, and saves nothing', async () => {
    const t = await testApp();
    const b = await signedIn(t, 'demo.author');
    const planId = (await b.post('/manage/plans/new', newPlan)).location!.match(/\/manage\/plans\/([^/]+)\//)![1]!;
    const url = `/manage/plans/${planId}/edit?section=places`;
    const refused = await b.post(url, {
      'plan.placesOfSafety.count': '0',
      'locations.count': '2',
      ...row(0, 'Waterloo Bridge'),
      ...row(1, 'The old bandstand'),
      save: 'stay',
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('href="#locations.1.label"');
    expect(refused.text).toContain('the service does not know “The old bandstand”');
    expect(refused.text).not.toContain('Latitude must be a number');
    expect(refused.text).toContain('value="The old bandstand"');
    expect((await findVersion(t.db, planId, 1))!.locations).toEqual([]);
    // Half a position is still refused as before: the author meant an exact spot.
    const half = await b.post(url, {
      'plan.placesOfSafety.count': '0',
      'locations.count': '1',
      ...row(0, 'Waterloo Bridge', '51.5'),
      save: 'stay',
    });
    expect(half.status).toBe(400);
    expect(half.text).toContain('Longitude must be a number');
  });
});
