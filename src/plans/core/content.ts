import { z } from 'zod';
import { isValidNhsNumber, normaliseNhsNumber } from './nhs.js';
import { ILL_FORMED_TEXT, wellFormed } from './text.js';

/**
 * The plan record (CONTRACTS §3). One source of truth: import lines, API bodies and stored versions are
 * all these schemas or projections of them. Objects are strict so an unknown field is an error, not
 * silently dropped data.
 */

/**
 * Characters that make text display other than it reads: bidi embeddings, overrides and isolates
 * (U+202A–202E, U+2066–2069) and C0/C1 controls and DEL. Free text may keep tab and line breaks.
 */
const HIDDEN_IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
/** Names and other one-line fields also refuse line breaks, tabs, zero-width characters and bidi marks. */
export const HIDDEN_IN_NAME = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2060-\u2064\uFEFF\u202A-\u202E\u2066-\u2069]/;
const free = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(wellFormed, { error: ILL_FORMED_TEXT, abort: true })
    .refine((s) => !HIDDEN_IN_TEXT.test(s), { error: 'must not contain control characters or bidi overrides' });
const line = (max: number) =>
  free(max).refine((s) => !HIDDEN_IN_NAME.test(s), {
    error: 'must not contain control, zero-width or bidi-override characters (one line of visible text)',
  });
/** Fields of 500 characters or more are prose and may hold line breaks; shorter ones are one line (names, phones, labels). */
const text = (max: number) => (max >= 500 ? free(max) : line(max));
const optionalText = (max: number) => text(max).optional();
const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max).default([]);

export const isoDate = z.iso.date({ error: 'must be a date as YYYY-MM-DD', abort: true });

export const orgKinds = ['mental-health', 'police', 'ambulance', 'emergency-department'] as const;
export type OrgKind = (typeof orgKinds)[number];
export const slugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and hyphens (at most 40)');

export const subjectSchema = z.strictObject({
  givenNames: text(100),
  familyName: text(100),
  preferredName: optionalText(100),
  aliases: list(text(100), 20),
  dateOfBirth: isoDate
    .refine((d) => d >= '1900-01-01' && d <= new Date().toISOString().slice(0, 10), {
      error: 'must be a real date of birth, not in the future',
    })
    // The document says what JSON Schema cannot: the range ends today (x- keywords, read by the API checker).
    .meta({ description: 'A real date, from 1900-01-01 to today.', 'x-not-before': '1900-01-01', 'x-not-after': 'today' }),
  nhsNumber: z
    .string()
    .transform(normaliseNhsNumber)
    .refine(isValidNhsNumber, { error: 'must be a 10-digit NHS number whose check digit is right (modulus 11)' })
    .meta({
      description: 'Ten digits, spaces or hyphens allowed between them; the last is the modulus 11 check digit of the first nine.',
      pattern: '^[\\s-]*(?:\\d[\\s-]*){10}$',
      'x-check-digit': 'nhs-modulus-11',
    })
    .optional(),
  sex: z.enum(['female', 'male', 'other', 'not-known', 'not-stated']).optional(),
  description: optionalText(500),
  homeArea: optionalText(100),
});

export const locationSchema = z.strictObject({
  label: text(120),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  note: optionalText(300),
});

/** The review found plans "too big" to read in a crisis: the summary is capped at a 30-second read. */
export const SUMMARY_MAX_CHARS = 700;

export const planContentSchema = z.strictObject({
  summary: text(SUMMARY_MAX_CHARS),
  diagnosis: z.strictObject({ text: text(2000), plainLanguage: optionalText(2000) }).optional(),
  capacity: optionalText(2000),
  crisisBehaviours: list(z.strictObject({ behaviour: text(500), triggers: optionalText(500), earlyWarningSigns: optionalText(500) }), 20),
  whatHelps: list(text(300), 20),
  whatToAvoid: list(text(300), 20),
  boundaries: list(z.strictObject({ boundary: text(500), ifBreached: text(500) }), 20),
  personWillDo: optionalText(2000),
  personCanExpect: optionalText(2000),
  placesOfSafety: list(z.strictObject({ name: text(200), address: optionalText(300), phone: optionalText(40) }), 10),
  nominatedPeople: list(
    z.strictObject({
      name: text(200),
      relationship: optionalText(100),
      phone: optionalText(40),
      consentToContact: z.boolean().default(false),
    }),
    10,
  ),
  careTeam: list(
    z.strictObject({
      name: text(200),
      role: optionalText(100),
      org: optionalText(200),
      phone: optionalText(40),
      outOfHours: optionalText(200),
    }),
    20,
  ),
  inTheirOwnWords: optionalText(2000),
});

export const lawfulBases = ['consent', 'contract', 'legal-obligation', 'vital-interests', 'public-task', 'legitimate-interests'] as const;

export const governanceSchema = z
  .strictObject({
    coProduced: z.boolean().default(false),
    agreedBySubjectOn: isoDate.optional(),
    lawfulBasis: z.enum(lawfulBases),
    reviewBy: isoDate,
    /** Who approved it in the system the record came from (imports only). */
    approvedBy: optionalText(200),
  })
  .refine((g) => !g.coProduced || g.agreedBySubjectOn !== undefined, {
    error: 'agreedBySubjectOn is required when coProduced is true (when did the person agree?)',
    path: ['agreedBySubjectOn'],
  })
  .meta({
    description: '`agreedBySubjectOn` is required when `coProduced` is true.',
    if: { properties: { coProduced: { const: true } }, required: ['coProduced'] },
    then: { required: ['agreedBySubjectOn'] },
  });

/** What an author writes: everything about the person and their plan, without workflow fields. */
export const planRecordSchema = z.strictObject({
  subject: subjectSchema,
  locations: list(locationSchema, 20),
  plan: planContentSchema,
  governance: governanceSchema,
});

/** A plan's id: 16 random URL-safe characters (never derived from the person). */
export const planIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16}$/, 'not a plan id');
export const externalRefSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$/, 'must be 1–80 letters, digits or . _ : / -');

export const importRecordSchema = z.strictObject({
  externalRef: externalRefSchema,
  owningOrg: slugSchema,
  ...planRecordSchema.shape,
  status: z.literal('published').default('published'),
});

export const createPlanBodySchema = z.strictObject({
  externalRef: externalRefSchema,
  ...planRecordSchema.shape,
  changeSummary: optionalText(500),
});

export const draftBodySchema = z.strictObject({
  ...planRecordSchema.shape,
  changeSummary: optionalText(500),
});

export type Subject = z.infer<typeof subjectSchema>;
export type PlanLocation = z.infer<typeof locationSchema>;
export type PlanContent = z.infer<typeof planContentSchema>;
export type Governance = z.infer<typeof governanceSchema>;
export type PlanRecord = z.infer<typeof planRecordSchema>;
export type ImportRecord = z.infer<typeof importRecordSchema>;
export type CreatePlanBody = z.infer<typeof createPlanBodySchema>;
export type DraftBody = z.infer<typeof draftBodySchema>;

export const sectionKeys = Object.keys(planContentSchema.shape) as (keyof PlanContent)[];
export type SectionKey = keyof PlanContent;

/** Each section's name, as integrations and reviewers see it; pages may word a few for their readers. */
export const sectionTitles: Readonly<Record<SectionKey, string>> = {
  summary: 'Summary',
  diagnosis: 'Diagnosis',
  capacity: 'Capacity',
  crisisBehaviours: 'Crisis behaviours',
  whatHelps: 'What helps',
  whatToAvoid: 'What to avoid',
  boundaries: 'Boundaries',
  personWillDo: 'What the person will do',
  personCanExpect: 'What the person can expect',
  placesOfSafety: 'Places of safety',
  nominatedPeople: 'Nominated people',
  careTeam: 'Care team',
  inTheirOwnWords: 'In their own words',
};
