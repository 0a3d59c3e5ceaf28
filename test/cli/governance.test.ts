import { describe, expect, it } from 'vitest';
import { ensureDemoOrganisations } from '../../src/plans/demo/demo.js';
import { cli } from './helpers.js';
import { accessEvents, databaseFile, openDatabase, tempDir } from '../helpers.js';

describe('CLI: org list, dsa list, dsa end', () => {
  it('lists the register, ends an agreement early as a governance event by cli:<user>, and verify-audit is clean', async () => {
    const dir = tempDir();
    const db = openDatabase(databaseFile(dir));
    ensureDemoOrganisations(db, new Date());
    db.$client.close();

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
    expect(list.stdout).toMatch(/^DSA-DEMO-001\tended\t\d{4}-01-01\.\.\d{4}-12-31\tcapital-police,.*\(ended \d{4}-\d\d-\d\d: scheme wound up\)$/m);
    const again = await cli(['dsa', 'end', 'DSA-DEMO-001', '--reason', 'twice'], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already ended/);

    const check = openDatabase(databaseFile(dir));
    const events = accessEvents(check).filter((e) => e.action === 'governance');
    check.$client.close();
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
