import type { Db } from '../../../db/index.js';
import type { Actor } from '../core/actor.js';
import { fail, ok, type Result } from '../core/result.js';
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
/** A base URL only this machine can reach: 127.0.0.0/8, ::1, localhost, or the unspecified address. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return true;
  }
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    host === '0.0.0.0' ||
    host === '::' ||
    /^127(\.\d{1,3}){3}$/.test(host)
  );
}

/**
 * `development`: the service runs with its development issuer (a developer's machine), where a card that
 * points at this machine is what is wanted. Anywhere else such a card would be printed, handed to the
 * person, and open nothing on a responder's phone.
 */
export async function issueCardForPrint(
  db: Db,
  actor: Actor,
  planId: string,
  opts: { graceUntil?: Date; text?: string; development?: boolean },
  now: Date,
  publicBaseUrl: string,
): Promise<Result<PrintedCard>> {
  if (!opts.development && isLoopbackUrl(publicBaseUrl)) {
    return fail(
      'conflict',
      `the card would point at ${publicBaseUrl}, an address only this machine can reach: ask the service's operator to set PUBLIC_BASE_URL to the address responders' phones open (https://…) and restart it`,
      { reason: 'loopback-base-url' },
    );
  }
  const text = opts.text ?? DEFAULT_CARD_TEXT;
  const codeEntryUrl = `${publicBaseUrl}/code`;
  let contact: string | null = null;
  const card = await issuePrintedCard(db, actor, planId, { graceUntil: opts.graceUntil }, now, async (secret) => {
    const org = (await getOrganisation(db, secret.owningOrg))!;
    contact = org.contact ?? null;
    return renderCard({
      url: `${publicBaseUrl}/q/${secret.token}`,
      codeEntryUrl,
      code: secret.code,
      text,
      issuer: org.name,
      issuerContact: contact,
    });
  });
  if (!card.ok) return card;
  const issuer = (await getOrganisation(db, card.value.owningOrg))!.name;
  return ok({
    ...card.value,
    url: `${publicBaseUrl}/q/${card.value.token}`,
    codeEntryUrl,
    printed: { text, issuer, issuerContact: contact },
  });
}
