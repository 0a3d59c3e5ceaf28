import { describe, expect, it } from 'vitest';
import { getOrganisation } from '../../src/plans/organisations.js';
import { cli } from './helpers.js';
import { storeAt, tempDir } from '../helpers.js';

describe('CLI: org add --dp-contact', () => {
  it("records the organisation's data-protection contact, printed on people's access reports", async () => {
    const dir = tempDir();
    const added = await cli(
      [
        'org',
        'add',
        'eastside-mh',
        '--name',
        'Eastside MH',
        '--kind',
        'mental-health',
        '--contact',
        'Crisis line 0800 000 0303',
        '--dp-contact',
        'DPO, Eastside MH, dpo@eastside.example',
      ],
      dir,
    );
    expect(added.code, added.stderr).toBe(0);
    const empty = await cli(['org', 'add', 'westside-mh', '--name', 'Westside MH', '--kind', 'mental-health', '--dp-contact', ' '], dir);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/dataProtectionContact/);
    const db = await storeAt(dir);
    try {
      expect(await getOrganisation(db, 'eastside-mh')).toMatchObject({
        contact: 'Crisis line 0800 000 0303',
        dataProtectionContact: 'DPO, Eastside MH, dpo@eastside.example',
      });
      expect(await getOrganisation(db, 'westside-mh')).toBeUndefined();
    } finally {
      await db.close();
    }
  });
});
