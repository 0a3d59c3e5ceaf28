import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { cardBack, cardTextSchema, DEFAULT_CARD_TEXT } from '../../../plans/cards/artefacts.js';
import { listCards, MAX_GRACE_DAYS, revokeCards } from '../../../plans/cards/cards.js';
import { formatShortCode } from '../../../plans/cards/code.js';
import { issueCardForPrint } from '../../../plans/cards/print.js';
import type { Failure } from '../../../plans/core/result.js';
import { consolePlan } from '../../../plans/versions/console.js';
import { emptyDate, type DateValue, type FieldError } from '../../../ui/components/forms.js';
import { CardIssuedPage, CardShownPage, CardsPage, RevokeCardPage, type Issued } from '../../../ui/pages/manage/cards.js';
import type { AppServices, WebEnv } from '../../context.js';
import { dateValue, isoFromDate, text } from '../oversight/form-input.js';
import { page } from '../shared.js';
import { memoryHandoffs, type Handoffs } from '../../guards/shared-state.js';
import { consoleGuards, consoleWho, planIdPattern, refusalPage } from './shared.js';

const notices: Record<string, string> = { revoked: 'The card has stopped working.' };

/**
 * A card just issued, kept for its author's browser to fetch after the redirect (post, then redirect: a
 * refresh of the page must never issue another card and stop the one just printed). Kept for ten minutes,
 * for the person who issued it; after that the card's codes exist only on the card. Where it is kept (this
 * process, or the database when the redirect may reach another node) it is sealed with a key derived from
 * the random id in that redirect, which only the author's browser holds: the store alone cannot print the
 * card, as it cannot from the hashes it keeps of every card.
 */
const SHOWN_FOR_MS = 10 * 60_000;
type Held = { sub: string; org: string; planId: string; versionId?: number; card: Issued; until: number };

/** `/manage/plans/:planId/cards`: the card history, issuing a card (shown once), stopping the card in use. */
export function manageCardRoutes(services: AppServices) {
  const { db, clock } = services;
  const guard = consoleGuards(services);
  const held = sealedHeld(services.sharedState === 'database' ? services.handoffs : memoryHandoffs(clock, 200));

  /** Cards first: their rule (authors of the owning trust) decides before anything about the person is shown. */
  const load = async (c: Context<WebEnv>) => {
    const planId = c.req.param('planId') ?? '';
    if (!planIdPattern.test(planId)) return { ok: false as const, code: 'not_found' as const, detail: 'no such plan' } satisfies Failure;
    const cards = await listCards(db, c.var.actor!, planId, clock());
    if (!cards.ok) return cards;
    const p = await consolePlan(db, c.var.actor!, planId);
    if (!p.ok) return p;
    const s = p.value.record.subject;
    return {
      ok: true as const,
      value: {
        cards: cards.value,
        plan: { planId, externalRef: p.value.externalRef, name: `${s.givenNames} ${s.familyName}` },
        versionId: p.value.current?.id,
      },
    };
  };

  const cardsPage = async (
    c: Context<WebEnv>,
    form: { text: string; grace: DateValue; errors: FieldError[] } = { text: DEFAULT_CARD_TEXT, grace: emptyDate, errors: [] },
  ) => {
    const l = await load(c);
    if (!l.ok) return refusalPage(c, l);
    c.set('access', { planId: l.value.plan.planId, versionId: l.value.versionId, query: { console: 'cards' } });
    const notice = notices[c.req.query('done') ?? ''];
    return page(
      c,
      <CardsPage
        who={consoleWho(c)}
        plan={l.value.plan}
        cards={l.value.cards}
        text={form.text}
        grace={form.grace}
        errors={form.errors}
        maxGraceDays={MAX_GRACE_DAYS}
        notice={notice}
      />,
      form.errors.length ? 400 : 200,
    );
  };

  return new Hono<WebEnv>()
    .get('/manage/plans/:planId/cards', ...guard.read('history'), (c) => cardsPage(c))
    .post('/manage/plans/:planId/cards', ...guard.writeShowing('print'), async (c) => {
      const planId = c.req.param('planId');
      const form = await c.req.parseBody();
      const get = (name: string) => text(form[name]);
      const raw = { text: get('text'), grace: dateValue(get, 'grace') };
      const errors: FieldError[] = [];
      const cardText = cardTextSchema.safeParse(raw.text || DEFAULT_CARD_TEXT);
      if (!cardText.success) errors.push({ field: 'text', message: `What the card says: ${cardText.error.issues[0]!.message}` });
      const grace = isoFromDate(raw.grace, 'grace', 'The date the old card stops working');
      if (grace.error) errors.push(grace.error);
      if (errors.length) return cardsPage(c, { ...raw, errors });
      // The chosen day is the last one the old card works: it stops at the end of it.
      const graceUntil = grace.day ? new Date(Date.parse(`${grace.day}T00:00:00Z`) + 86_400_000) : undefined;
      const l = await load(c);
      if (!l.ok) return refusalPage(c, l);
      const card = await issueCardForPrint(
        db,
        c.var.actor!,
        planId,
        { graceUntil, text: cardText.data, development: services.localCards ?? !!services.devIssuer },
        clock(),
        services.publicBaseUrl,
      );
      if (!card.ok && card.code === 'invalid') {
        return cardsPage(c, {
          ...raw,
          errors: [
            {
              field: 'grace-day',
              message: `The date the old card stops working must be after today and at most ${MAX_GRACE_DAYS} days away`,
            },
          ],
        });
      }
      if (!card.ok) return refusalPage(c, card, `/manage/plans/${planId}/cards`);
      const v = card.value;
      c.set('access', { planId, versionId: l.value.versionId, query: { console: 'card', cardId: v.cardId } });
      const once = randomBytes(16).toString('base64url');
      const actor = c.var.actor!;
      await held.put(once, {
        sub: actor.sub,
        org: actor.org,
        planId,
        versionId: l.value.versionId,
        until: clock().getTime() + SHOWN_FOR_MS,
        card: {
          cardId: v.cardId,
          number: l.value.cards.length + 1,
          code: formatShortCode(v.code),
          codeEntryUrl: v.codeEntryUrl,
          text: v.printed.text,
          issuer: v.printed.issuer,
          back: cardBack({ issuer: v.printed.issuer, issuerContact: v.printed.issuerContact }),
          replaced: v.replaced,
          pdf: Buffer.from(v.artefacts.pdf).toString('base64'),
          png: v.artefacts.png.toString('base64'),
          svg: Buffer.from(v.artefacts.svg).toString('base64'),
        },
      });
      return c.redirect(`/manage/plans/${planId}/cards/issued?once=${once}`, 303);
    })
    .get('/manage/plans/:planId/cards/issued', ...guard.read('history'), async (c) => {
      const l = await load(c);
      if (!l.ok) return refusalPage(c, l);
      const actor = c.var.actor!;
      const key = c.req.query('once') ?? '';
      const h = await held.get(key);
      const mine = h && h.sub === actor.sub && h.org === actor.org && h.planId === l.value.plan.planId && h.until > clock().getTime();
      if (!mine) {
        c.set('access', { planId: l.value.plan.planId, versionId: l.value.versionId, query: { console: 'card-shown' } });
        return page(c, <CardShownPage who={consoleWho(c)} plan={l.value.plan} />, 410);
      }
      c.set('access', { planId: h.planId, versionId: h.versionId, query: { console: 'card', cardId: h.card.cardId } });
      return page(c, <CardIssuedPage who={consoleWho(c)} plan={l.value.plan} card={h.card} />);
    })
    .get('/manage/plans/:planId/cards/revoke', ...guard.read('history'), async (c) => {
      const l = await load(c);
      if (!l.ok) return refusalPage(c, l);
      const working = l.value.cards.filter((x) => x.status !== 'revoked').length;
      if (!working)
        return refusalPage(
          c,
          { ok: false, code: 'not_found', detail: 'this plan has no card in use' },
          `/manage/plans/${l.value.plan.planId}/cards`,
        );
      c.set('access', { planId: l.value.plan.planId, versionId: l.value.versionId, query: { console: 'revoke-card' } });
      return page(c, <RevokeCardPage who={consoleWho(c)} plan={l.value.plan} working={working} />);
    })
    .post('/manage/plans/:planId/cards/revoke', ...guard.write, async (c) => {
      const planId = c.req.param('planId');
      if (!planIdPattern.test(planId)) return refusalPage(c, { ok: false, code: 'not_found', detail: 'no such plan' });
      const done = await revokeCards(db, c.var.actor!, planId, clock());
      if (!done.ok) return refusalPage(c, done, `/manage/plans/${planId}/cards`);
      return c.redirect(`/manage/plans/${planId}/cards?done=revoked`, 303);
    });
}

/** Issued cards under their redirect's random id, sealed (AES-256-GCM) with a key derived from that id. */
function sealedHeld(handoffs: Handoffs) {
  const keyOf = (once: string) => createHash('sha256').update(`card-shown-key|${once}`).digest();
  const slot = (once: string) => `card-issued|${once}`;
  return {
    async put(once: string, h: Held) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyOf(once), iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(h), 'utf8'), cipher.final()]);
      await handoffs.put(slot(once), [iv, body, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.'), SHOWN_FOR_MS);
    },
    async get(once: string): Promise<Held | undefined> {
      if (!once || once.length > 100) return undefined;
      const sealed = await handoffs.peek(slot(once));
      const [iv, body, tag] = sealed?.split('.') ?? [];
      if (!iv || !body || !tag) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', keyOf(once), Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return JSON.parse(Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')) as Held;
      } catch {
        return undefined;
      }
    },
  };
}
