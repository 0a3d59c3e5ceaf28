import { z } from 'zod';
import type { OrgKind } from './content.js';

export const roles = ['responder', 'author', 'approver', 'auditor', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Who is asking: established by the server's auth layer from a verified token, trusted by the domain. */
export type Actor = {
  /** The identity provider's subject: stable per person, never shown to responders. */
  sub: string;
  org: string;
  orgKind: OrgKind;
  roles: readonly Role[];
};

/**
 * An identity provider's subject as this service takes it, from a bearer token or an OpenID sign-in
 * alike: it is quoted in the access log and in people's access reports, so markup, bidi controls,
 * newlines and anything past 200 characters (cut, two people could collide) are refused, never mended.
 */
export const subjectSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._~@:|+=/-]+$/, 'unexpected characters');

export const hasRole = (actor: Actor, role: Role) => actor.roles.includes(role);

/** Health responders may see clinical sections and may use emergency access; police may not. */
export const isHealthOrg = (kind: OrgKind) => kind !== 'police';
