import type { CardSummary } from '../../../plans/cards/cards.js';
import { DateFields, ErrorSummary, TextField, type DateValue, type FieldError } from '../../components/forms.js';
import { ConsolePage, when, type Who } from './common.js';

type Heading = { planId: string; externalRef: string; name: string };
const statusLabel: Record<CardSummary['status'], string> = { current: 'In use', grace: 'Stops working soon', revoked: 'Stopped' };

/** The plan's cards: history, issuing a new one (with its warning), and stopping the one in use. */
export function CardsPage(p: {
  who: Who;
  plan: Heading;
  cards: CardSummary[];
  text: string;
  grace: DateValue;
  errors: FieldError[];
  maxGraceDays: number;
  notice?: string;
}) {
  const base = `/manage/plans/${p.plan.planId}`;
  const working = p.cards.filter((c) => c.status !== 'revoked');
  // Numbered for this person (their first card is card 1), in the order they were issued.
  const numberOf = new Map([...p.cards].sort((a, b) => a.cardId - b.cardId).map((c, i) => [c.cardId, i + 1]));
  return (
    <ConsolePage title={`${p.errors.length ? 'Error: ' : ''}Cards: ${p.plan.externalRef}`} who={p.who}>
      <p class="meta">
        <a href={base}>Back to the plan</a>
      </p>
      <ErrorSummary errors={p.errors} />
      <h1>Patient-held cards for {p.plan.name}</h1>
      {p.notice ? (
        <p class="notice" role="status">
          {p.notice}
        </p>
      ) : null}
      <h2>Cards issued</h2>
      {p.cards.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Card</th>
              <th scope="col">Issued</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {p.cards.map((c) => (
              <tr>
                <td>Card {numberOf.get(c.cardId)}</td>
                <td>
                  {when(c.issuedAt)} by {c.issuedBy}
                </td>
                <td>
                  {statusLabel[c.status]}
                  {c.revokedAt ? `, ${c.status === 'revoked' ? 'since' : 'at'} ${when(c.revokedAt)}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>No card has been issued for this plan yet.</p>
      )}
      {working.length ? (
        <p>
          <a href={`${base}/cards/revoke`}>Stop the card in use now</a> (if it is lost, or the person asks).
        </p>
      ) : null}
      <h2>Issue a new card</h2>
      {working.length ? (
        <p class="notice">Issuing a new card stops the card in use working: at once, or after the date you choose below.</p>
      ) : null}
      <p>
        The card is shown once, when you issue it: print it or save it then. Only a fingerprint of its code is kept, so it cannot be shown
        again.
      </p>
      <form method="post" action={`${base}/cards`} novalidate>
        <TextField
          id="text"
          label="What the card says"
          hint="Only what the person chose to have printed. Do not add their name or diagnosis unless they asked for it."
          value={p.text}
          errors={p.errors}
        />
        {working.length ? (
          <DateFields
            id="grace"
            legend="Let the old card keep working until (optional)"
            hint={`If the person may not have the new card yet. It stops working at the end of that day; at most ${p.maxGraceDays} days from today. For example, 27 3 2026`}
            value={p.grace}
            errors={p.errors}
          />
        ) : null}
        <div class="actions">
          <button type="submit">Issue the card</button>
        </div>
      </form>
    </ConsolePage>
  );
}

export type Issued = {
  cardId: number;
  /** This person's card number: their first card is 1. */
  number: number;
  code: string;
  codeEntryUrl: string;
  text: string;
  issuer: string;
  back: { scan: string; advice: string; found: string };
  replaced: { cardId: number; revokedAt: string }[];
  pdf: string;
  png: string;
  svg: string;
};

/** The only time the card exists in full: previews and downloads as data: URIs (nothing is kept to serve them later). */
export function CardIssuedPage(p: { who: Who; plan: Heading; card: Issued }) {
  const c = p.card;
  const file = `plan-card-${c.cardId}`;
  return (
    <ConsolePage title={`Card issued: ${p.plan.externalRef}`} who={p.who}>
      <h1>
        Card {c.number} issued for {p.plan.name}
      </h1>
      <p class="notice" role="status">
        Print or save the card now: it cannot be shown again. If it is lost, issue a new one.
      </p>
      {c.replaced.length ? <p>{c.replaced.map((r) => `The card in use before stops working ${when(r.revokedAt)}.`).join(' ')}</p> : null}
      <div class="side card-preview">
        <section aria-labelledby="front">
          <h2 id="front">Front</h2>
          <p>
            <strong>CRISIS PLAN CARD</strong>
          </p>
          <img src={`data:image/png;base64,${c.png}`} alt="QR code that opens the plan on a responder's device" width="200" height="200" />
          <p>
            <strong>{c.text}</strong>
          </p>
          <p>
            Cannot scan? Enter code: <code>{c.code}</code> at {c.codeEntryUrl.replace(/^https?:\/\//, '')}
          </p>
          <p>Issued by {c.issuer}</p>
        </section>
        <section aria-labelledby="back">
          <h2 id="back">Back</h2>
          <p>
            <strong>FOR RESPONDERS</strong>
          </p>
          <p>{c.back.scan}</p>
          <p>
            <strong>{c.back.advice}</strong>
          </p>
          <p>{c.back.found}</p>
        </section>
      </div>
      <h2>Download</h2>
      <ul>
        <li>
          <a href={`data:application/pdf;base64,${c.pdf}`} download={`${file}.pdf`}>
            Card to print, both sides (PDF, bank-card size)
          </a>
        </li>
        <li>
          <a href={`data:image/png;base64,${c.png}`} download={`${file}-qr.png`}>
            QR code (PNG)
          </a>
        </li>
        <li>
          <a href={`data:image/svg+xml;base64,${c.svg}`} download={`${file}-qr.svg`}>
            QR code (SVG)
          </a>
        </li>
      </ul>
      <p>
        <a href={`/manage/plans/${p.plan.planId}/cards`}>I have printed or saved it: back to the cards</a>
      </p>
    </ConsolePage>
  );
}

export function RevokeCardPage(p: { who: Who; plan: Heading; working: number }) {
  const base = `/manage/plans/${p.plan.planId}`;
  return (
    <ConsolePage title={`Stop the card: ${p.plan.externalRef}`} who={p.who}>
      <h1>Stop the card for {p.plan.name} working now?</h1>
      <p>
        Anyone who scans it, or types its code, will be told the card no longer works.{' '}
        {p.working > 1 ? `This stops all ${p.working} cards still working.` : ''} The plan itself is not changed; you can issue a new card
        afterwards.
      </p>
      <form method="post" action={`${base}/cards/revoke`}>
        <div class="actions">
          <button type="submit">Stop the card</button>
          <a href={`${base}/cards`}>Cancel</a>
        </div>
      </form>
    </ConsolePage>
  );
}

/** The issued card's page after its ten minutes, or for anyone else: the codes live only on the card now. */
export function CardShownPage(p: { who: Who; plan: Heading }) {
  const base = `/manage/plans/${p.plan.planId}`;
  return (
    <ConsolePage title={`Card no longer shown: ${p.plan.externalRef}`} who={p.who}>
      <h1>This card can no longer be shown</h1>
      <p>
        A card is shown only to the person who issued it, for ten minutes. Refreshing this page issues nothing: the card that was issued
        still works.
      </p>
      <p>
        If it was not printed or saved, issue another from <a href={`${base}/cards`}>the cards page</a> (that stops this one working).
      </p>
    </ConsolePage>
  );
}
