import type { Db } from '../../../db/index.js';
import type { Actor } from '../core/actor.js';
import { ok, type Result } from '../core/result.js';
import { getOrganisation } from '../organisations.js';
import { DEFAULT_CARD_TEXT, renderCard, type CardArtefacts } from './artefacts.js';
import { issuePrintedCard, type IssuedCard } from './cards.js';

export type PrintedCard = IssuedCard & {
  artefacts: CardArtefacts;
  /** What the QR holds: the only place the token appears. */
  url: string;
  codeEntryUrl: string;
  printed: { text: string; issuer: string; issuerContact: string | null };
};

/**
 * Issues a card and renders it with the owning organisation's name and contact and the service's
 * public addresses: the API and the console print exactly the same card.
 */
export async function issueCardForPrint(
  db: Db,
  actor: Actor,
  planId: string,
  opts: { graceUntil?: Date; text?: string },
  now: Date,
  publicBaseUrl: string,
): Promise<Result<PrintedCard>> {
  const text = opts.text ?? DEFAULT_CARD_TEXT;
  const codeEntryUrl = `${publicBaseUrl}/code`;
  let contact: string | null = null;
  const card = await issuePrintedCard(db, actor, planId, { graceUntil: opts.graceUntil }, now, (secret) => {
    const org = getOrganisation(db, secret.owningOrg)!;
    contact = org.contact ?? null;
    return renderCard({ url: `${publicBaseUrl}/q/${secret.token}`, codeEntryUrl, code: secret.code, text, issuer: org.name, issuerContact: contact });
  });
  if (!card.ok) return card;
  const issuer = getOrganisation(db, card.value.owningOrg)!.name;
  return ok({ ...card.value, url: `${publicBaseUrl}/q/${card.value.token}`, codeEntryUrl, printed: { text, issuer, issuerContact: contact } });
}
