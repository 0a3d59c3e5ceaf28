import { lawfulBases } from '../../../plans/core/content.js';

/**
 * The plan form, section by section, as data: the page renders it and the server parses posts with it,
 * so a field's name, label and place in the record are written once. Names are record paths
 * (`plan.crisisBehaviours.0.behaviour`), so a validation issue's path names the field it belongs to.
 */
export type FieldKind = 'text' | 'textarea' | 'date' | 'checkbox' | 'select' | 'lines' | 'number';
export type Field = {
  kind: FieldKind;
  name: string;
  label: string;
  hint?: string;
  options?: readonly (readonly [string, string])[];
  optional?: boolean;
  /** A text area's height: the summary shows whole, so the person shortening it sees all of it. */
  rows?: number;
};
export type Rows = { kind: 'rows'; name: string; label: string; item: string; fields: Field[]; hint?: string };
export type Item = Field | Rows;
export type Section = { key: string; title: string; intro?: string; items: Item[] };

const f = (kind: FieldKind, name: string, label: string, more: Partial<Field> = {}): Field => ({ kind, name, label, ...more });
const opt = { optional: true };

export const sections: Section[] = [
  {
    key: 'person',
    title: 'About the person',
    items: [
      f('text', 'subject.givenNames', 'Given names'),
      f('text', 'subject.familyName', 'Family name'),
      f('text', 'subject.preferredName', 'Name they like to be called', opt),
      f('lines', 'subject.aliases', 'Other names they are known by', { ...opt, hint: 'One on each line.' }),
      f('date', 'subject.dateOfBirth', 'Date of birth', { hint: 'For example, 27 3 1990.' }),
      f('text', 'subject.nhsNumber', 'NHS number', { ...opt, hint: '10 digits.' }),
      f('select', 'subject.sex', 'Sex', {
        ...opt,
        options: [
          ['', 'Not given'],
          ['female', 'Female'],
          ['male', 'Male'],
          ['other', 'Other'],
          ['not-known', 'Not known'],
          ['not-stated', 'Not stated'],
        ],
      }),
      f('textarea', 'subject.description', 'What they look like', { ...opt, hint: 'To help a responder recognise them.' }),
      f('text', 'subject.homeArea', 'Home area', opt),
    ],
  },
  {
    key: 'summary',
    title: '30-second summary',
    intro: 'What a responder must know first. Keep it short: they read it in the street, under stress.',
    items: [f('textarea', 'plan.summary', 'Summary', { rows: 10 })],
  },
  {
    key: 'clinical',
    title: 'Diagnosis and capacity',
    intro: 'Shown to health responders only, never to police.',
    items: [
      f('textarea', 'plan.diagnosis.text', 'Diagnosis', opt),
      f('textarea', 'plan.diagnosis.plainLanguage', 'Diagnosis in plain language', opt),
      f('textarea', 'plan.capacity', 'Capacity', opt),
    ],
  },
  {
    key: 'behaviours',
    title: 'Crisis behaviours',
    items: [
      {
        kind: 'rows',
        name: 'plan.crisisBehaviours',
        label: 'Crisis behaviours',
        item: 'behaviour',
        fields: [
          f('textarea', 'behaviour', 'What they may do'),
          f('textarea', 'triggers', 'Triggers', opt),
          f('textarea', 'earlyWarningSigns', 'Early warning signs', opt),
        ],
      },
    ],
  },
  {
    key: 'helps',
    title: 'What helps and what to avoid',
    items: [
      f('lines', 'plan.whatHelps', 'What helps', { ...opt, hint: 'One on each line.' }),
      f('lines', 'plan.whatToAvoid', 'What to avoid', { ...opt, hint: 'One on each line.' }),
      {
        kind: 'rows',
        name: 'plan.boundaries',
        label: 'Boundaries',
        item: 'boundary',
        fields: [f('textarea', 'boundary', 'Boundary'), f('textarea', 'ifBreached', 'If it is crossed')],
      },
      f('textarea', 'plan.personWillDo', 'What the person will do', opt),
      f('textarea', 'plan.personCanExpect', 'What the person can expect from services', opt),
    ],
  },
  {
    key: 'places',
    title: 'Places',
    items: [
      {
        kind: 'rows',
        name: 'plan.placesOfSafety',
        label: 'Places of safety',
        item: 'place of safety',
        fields: [f('text', 'name', 'Name'), f('text', 'address', 'Address', opt), f('text', 'phone', 'Phone', opt)],
      },
      {
        kind: 'rows',
        name: 'locations',
        label: 'Places they are often found',
        item: 'place',
        hint: 'Used to find the person by place. Type a place the service knows or a postcode, and its position is found when you save. For an exact spot, give its latitude and longitude in decimal degrees (for example 51.5087 and -0.117).',
        fields: [
          f('text', 'label', 'Place', { hint: 'For example, Waterloo Bridge or SE1 7PB.' }),
          f('number', 'lat', 'Latitude', { ...opt, hint: 'Only for an exact spot.' }),
          f('number', 'lng', 'Longitude', opt),
          f('text', 'note', 'Note', opt),
        ],
      },
    ],
  },
  {
    key: 'people',
    title: 'Nominated people and care team',
    items: [
      {
        kind: 'rows',
        name: 'plan.nominatedPeople',
        label: 'Nominated people',
        item: 'nominated person',
        hint: 'Responders see phone numbers only for people who agreed to be contacted.',
        fields: [
          f('text', 'name', 'Name'),
          f('text', 'relationship', 'Relationship', opt),
          f('text', 'phone', 'Phone', opt),
          f('checkbox', 'consentToContact', 'They agree to be contacted by responders'),
        ],
      },
      {
        kind: 'rows',
        name: 'plan.careTeam',
        label: 'Care team',
        item: 'care team member',
        fields: [
          f('text', 'name', 'Name'),
          f('text', 'role', 'Role', opt),
          f('text', 'org', 'Organisation', opt),
          f('text', 'phone', 'Phone', opt),
          f('text', 'outOfHours', 'Out of hours', opt),
        ],
      },
    ],
  },
  {
    key: 'words',
    title: 'In their own words',
    items: [f('textarea', 'plan.inTheirOwnWords', 'What the person wants responders to know, in their words', opt)],
  },
  {
    key: 'agreement',
    title: 'Agreement and review',
    intro: 'Who agreed this plan, on what lawful basis, and when it must be reviewed.',
    items: [
      f('checkbox', 'governance.coProduced', 'The person wrote this plan with us and agreed it'),
      f('date', 'governance.agreedBySubjectOn', 'When they agreed it', {
        ...opt,
        hint: 'Leave blank if they have not agreed it yet. For example, 1 10 2026.',
      }),
      f('select', 'governance.lawfulBasis', 'Lawful basis for sharing', {
        options: [['', 'Choose one'], ...lawfulBases.map((b) => [b, b.replace(/-/g, ' ')] as const)],
      }),
      f('date', 'governance.reviewBy', 'Review by', { hint: 'For example, 1 4 2027.' }),
      f('textarea', 'changeSummary', 'What changed in this version, and why', opt),
    ],
  },
];

/** The first page of a new plan: just enough for a draft to exist; the rest is written section by section. */
export const newPlanSection: Section = {
  key: 'new',
  title: 'Start a new plan',
  items: [
    f('text', 'externalRef', "Your trust's reference for this person", { hint: 'Letters, digits and . _ : / -, for example SB-000123.' }),
    ...sections[0]!.items.filter((i) =>
      ['subject.givenNames', 'subject.familyName', 'subject.preferredName', 'subject.dateOfBirth'].includes(i.name),
    ),
    ...sections[1]!.items,
    ...sections.at(-1)!.items.filter((i) => ['governance.lawfulBasis', 'governance.reviewBy'].includes(i.name)),
  ],
};

export const sectionByKey = (key: string | undefined) => sections.find((s) => s.key === key);
export const sectionOfPath = (path: string) => sections.find((s) => s.items.some((i) => path === i.name || path.startsWith(`${i.name}.`)));
