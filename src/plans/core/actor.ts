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

export const hasRole = (actor: Actor, role: Role) => actor.roles.includes(role);

/** Health responders may see clinical sections and may use emergency access; police may not. */
export const isHealthOrg = (kind: OrgKind) => kind !== 'police';
