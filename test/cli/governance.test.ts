import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ensureDemoOrganisations } from '../../src/plans/demo/demo.js';
import { agreementQueries } from '../../src/plans/organisations.js';
import { cli, cliHere } from './helpers.js';
import { accessEvents, importRecordFrom, storeAt, planBody, planIdOf, publishPlans, tempDir, testApp } from '../helpers.js';

describe('CLI: org list, dsa list, dsa end', () => {
  it('lists the register, ends an agreement early as a governance event by cli:<user>, and verify-audit is clean', async () => {
    const dir = tempDir();
    const db = await storeAt(dir);
    await ensureDemoOrganisations(db, new Date());
    await db.close();

    const added = await cli(['org', 'add', 'valley-ambulance', '--name', 'Valley Ambulance', '--kind', 'ambulance'], dir);
    expect(added.code, added.stderr).toBe(0);
    const orgs = await cli(['org', 'list'], dir);
    expect(orgs.code, orgs.stderr).toBe(0);
    expect(orgs.stdout).toMatch(/^valley-ambulance\tambulance\tactive\tValley Ambulance\t-$/m);
    expect(orgs.stdout).toMatch(/^southbank-mh\tmental-health\tactive\t/m);

    expect((await cli(['dsa', 'end', 'DSA-DEMO-001'], dir)).code).toBe(2);
    const ended = await cli(['dsa', 'end', 'DSA-DEMO-001', '--reason', 'scheme wound up'], dir);
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout).toMatch(/^ended agreement DSA-DEMO-001 at /);
    const list = await cli(['dsa', 'list'], dir);
    expect(list.stdout).toMatch(
      /^DSA-DEMO-001\tended\t\d{4}-01-01\.\.\d{4}-12-31\tcapital-police,.*\(ended \d{4}-\d\d-\d\d: scheme wound up\)$/m,
    );
    const again = await cli(['dsa', 'end', 'DSA-DEMO-001', '--reason', 'twice'], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already ended/);

    const check = await storeAt(dir);
    const events = (await accessEvents(check)).filter((e) => e.action === 'governance');
    await check.close();
    expect(events.map((e) => [e.query!.op, e.outcome, e.channel])).toEqual([
      ['organisation.add', 'allowed', 'cli'],
      ['agreement.end', 'allowed', 'cli'],
    ]);
    expect(events[1]!.actorSub).toMatch(/^cli:.+/);
    expect(events[1]).toMatchObject({ actorOrg: '(cli)', reason: 'scheme wound up' });

    const verified = await cli(['verify-audit'], dir);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/access log OK: 2 events/);
  }, 60_000);
});

describe('CLI: dsa add proposes; --accepted-by and dsa accept record signed agreements the operator holds', () => {
  it("the operator cannot put an agreement in force for parties without recording each one's acceptance", async () => {
    const dir = tempDir();
    const db = await storeAt(dir);
    await ensureDemoOrganisations(db, new Date());
    await db.close();
    const inForce = async () => {
      const check = await storeAt(dir);
      try {
        return await agreementQueries(check).agreementInForce('shire-police', 'southbank-mh', '2026-06-01');
      } finally {
        await check.close();
      }
    };

    const proposed = await cliHere(
      ['dsa', 'add', 'CLI-1', '--parties', 'shire-police,southbank-mh', '--from', '2026-01-01', '--to', '2027-01-01'],
      dir,
    );
    expect(proposed.code, proposed.stderr).toBe(0);
    expect(proposed.stdout).toMatch(/CLI-1: shire-police, southbank-mh .*proposal (\d+), waiting for shire-police, southbank-mh to accept/);
    expect(await inForce()).toBeUndefined();
    const id = /proposal (\d+)/.exec(proposed.stdout)![1]!;
    expect((await cliHere(['dsa', 'list'], dir)).stdout).toMatch(
      new RegExp(
        `^proposal ${id}\\tCLI-1\\tnew\\t2026-01-01\\.\\.2027-01-01\\tshire-police,southbank-mh\\twaiting for shire-police,southbank-mh$`,
        'm',
      ),
    );

    const notParty = await cliHere(['dsa', 'accept', id, '--for', 'capital-police'], dir);
    expect(notParty.code).toBe(1);
    expect(notParty.stderr).toMatch(/capital-police is not a party/);
    expect((await cliHere(['dsa', 'accept', id, '--for', 'shire-police'], dir)).stdout).toMatch(/waiting for southbank-mh/);
    expect(await inForce()).toBeUndefined();
    const last = await cliHere(['dsa', 'accept', id, '--for', 'southbank-mh'], dir);
    expect(last.stdout).toMatch(/in force/);
    expect(await inForce()).toBe('CLI-1');

    // The same agreement, accepted by the parties named: one of them no party, then both parties.
    const addCli2 = (acceptedBy: string) =>
      cliHere(
        [
          'dsa',
          'add',
          'CLI-2',
          '--parties',
          'capital-police,northgate-mh',
          '--from',
          '2026-01-01',
          '--to',
          '2027-01-01',
          '--accepted-by',
          acceptedBy,
        ],
        dir,
      );
    const badHeld = await addCli2('capital-police,shire-police');
    expect(badHeld.code).toBe(1);
    expect(badHeld.stderr).toMatch(/shire-police is not a party/);
    const held = await addCli2('capital-police,northgate-mh');
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toMatch(/in force: every party's acceptance recorded/);

    const check = await storeAt(dir);
    const events = (await accessEvents(check)).filter((e) => e.action === 'governance');
    const notes = await check.many(sql`SELECT DISTINCT note FROM dsa_decisions WHERE via = 'cli'`);
    await check.close();
    expect(events.map((e) => [e.query!.op, e.outcome, e.channel])).toEqual([
      ['agreement.propose', 'allowed', 'cli'],
      ['agreement.accept', 'denied', 'cli'],
      ['agreement.accept', 'allowed', 'cli'],
      ['agreement.accept', 'allowed', 'cli'],
      ['agreement.propose', 'allowed', 'cli'],
    ]);
    expect(events.at(-1)!.query).toMatchObject({ changes: { acceptedBy: ['capital-police', 'northgate-mh'], inForce: true } });
    expect(notes).toEqual([{ note: 'signed agreement held by the service operator' }]);
  }, 120_000);
});
describe("CLI: the operator's acts on the register (issue 20)", () => {
  it('org kind and org enable are governance events with a reason; bad input names the field, never a stack trace', async () => {
    const dir = tempDir();
    const db = await storeAt(dir);
    await ensureDemoOrganisations(db, new Date());
    await db.exec(sql`UPDATE organisations SET disabled_at = '2026-11-30T10:00:00.000Z' WHERE slug = 'northgate-mh'`);
    await db.close();

    const noReason = await cliHere(['org', 'kind', 'shire-police', '--kind', 'ambulance'], dir);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/\breason: /);
    const badKind = await cliHere(['org', 'kind', 'shire-police', '--kind', 'fire', '--reason', 'typo fixed'], dir);
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toMatch(/\bkind: /);
    const kind = await cliHere(['org', 'kind', 'shire-police', '--kind', 'ambulance', '--reason', 'registered as the wrong kind'], dir);
    expect(kind.code, kind.stderr).toBe(0);
    expect(kind.stdout).toMatch(/^shire-police is now ambulance$/m);
    expect((await cliHere(['org', 'list'], dir)).stdout).toMatch(/^shire-police\tambulance\tactive\t/m);

    const enable = await cliHere(['org', 'enable', 'northgate-mh', '--reason', 'merger called off'], dir);
    expect(enable.code, enable.stderr).toBe(0);
    expect((await cliHere(['org', 'list'], dir)).stdout).toMatch(/^northgate-mh\tmental-health\tactive\t/m);
    const again = await cliHere(['org', 'enable', 'northgate-mh', '--reason', 'twice'], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not disabled/);

    // An issuer that is not a URL, empty or plain http: an error naming the field (it was a stack trace).
    fs.writeFileSync(path.join(dir, 'secret'), 'synthetic-secret\n', { mode: 0o600 });
    for (const issuer of ['not a url', '', 'http://idp.example']) {
      const bad = await cliHere(
        ['org', 'oidc', 'southbank-mh', '--issuer', issuer, '--client-id', 'rpl', '--client-secret-file', path.join(dir, 'secret')],
        dir,
      );
      expect(bad.code, issuer).toBe(2);
      expect(bad.stderr).toMatch(/\bissuer: /);
      expect(bad.stderr).not.toMatch(/\n\s+at /);
    }
    const addBad = await cliHere(
      ['org', 'add', 'new-org', '--name', 'New', '--kind', 'police', '--issuer', 'nope', '--jwks', 'https://idp.example/jwks'],
      dir,
    );
    expect([addBad.code, /\bissuer: /.test(addBad.stderr)]).toEqual([2, true]);

    // A provider shared with another organisation needs the organisation claim on both.
    const oidc = (slug: string, ...extra: string[]) =>
      cliHere(
        [
          'org',
          'oidc',
          slug,
          '--issuer',
          'https://idp.national.example',
          '--client-id',
          `rpl-${slug}`,
          '--client-secret-file',
          path.join(dir, 'secret'),
          ...extra,
        ],
        dir,
      );
    expect((await oidc('southbank-mh')).code).toBe(0);
    const shared = await oidc('northgate-mh', '--org-claim', 'ods', '--org-code', 'XNG01');
    expect(shared.code).toBe(1);
    expect(shared.stderr).toMatch(/southbank-mh/);
    expect((await oidc('southbank-mh', '--org-claim', 'ods', '--org-code', 'XSB01')).code).toBe(0);
    const ok = await oidc('northgate-mh', '--org-claim', 'ods', '--org-code', 'XNG01');
    expect(ok.code, ok.stderr).toBe(0);

    const check = await storeAt(dir);
    const events = (await accessEvents(check)).filter((e) => e.action === 'governance');
    await check.close();
    expect(events.map((e) => [e.query!.op, e.outcome])).toEqual([
      ['organisation.kind', 'allowed'],
      ['organisation.enable', 'allowed'],
      ['organisation.oidc', 'allowed'],
      ['organisation.oidc', 'allowed'],
      ['organisation.oidc', 'allowed'],
    ]);
    expect(events[0]).toMatchObject({
      channel: 'cli',
      reason: 'registered as the wrong kind',
      query: { target: 'shire-police', changes: { kind: { from: 'police', to: 'ambulance' } } },
    });
    expect(events[1]).toMatchObject({ reason: 'merger called off', query: { target: 'northgate-mh' } });
  }, 120_000);
});

describe('CLI: org kind while the service runs (another process on the same database)', () => {
  it('a token the service has already verified gets the new kind on its next request', async () => {
    const t = await testApp();
    await publishPlans(t.db, [importRecordFrom(planBody())]);
    const planId = await planIdOf(t.db, 'SB-000001');
    const token = await t.tokenFor({ sub: 'pc.shire', org: 'shire-police', roles: ['responder'] });
    const emergency = () =>
      t.app.request(`/api/v1/plans/${planId}`, {
        headers: { authorization: `Bearer ${token}`, 'x-access-purpose': 'INC-2026-0102', 'x-emergency-access': 'not breathing' },
      });
    expect((await emergency()).status).toBe(403);
    const r = await cli(['org', 'kind', 'shire-police', '--kind', 'ambulance', '--reason', 'registered as the wrong kind'], t.dir);
    expect(r.code, r.stderr).toBe(0);
    expect((await emergency()).status).toBe(200);
  }, 60_000);
});
