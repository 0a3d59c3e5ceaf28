import { z } from 'zod';
import { dobSlipSchema } from './dob-slip.js';

/** One person in a search answer (CONTRACTS §5): what a responder needs to choose, and why each matched. */
export const searchResultSchema = z.object({
  planId: z.string(),
  externalRef: z.string(),
  name: z.string(),
  preferredName: z.string().nullable(),
  aliases: z.array(z.string()),
  dateOfBirth: z.string(),
  age: z.number().int(),
  homeArea: z.string().nullable(),
  matchedLocation: z.object({ label: z.string(), distanceM: z.number() }).nullable(),
  /** Set when this person's date of birth is not the one given but one slip away from it; never a match. */
  dateOfBirthSlip: dobSlipSchema.nullable(),
  why: z.array(z.string()),
});
export type SearchResult = z.infer<typeof searchResultSchema>;
