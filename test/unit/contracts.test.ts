import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as demo from '@c360/demo-data';
import { socialAccountsPath } from '@c360/social-provider';
import { embeddedSocialFile } from '../../src/bootstrap';
import type { Config } from '../../src/config';
import { EVENT_INDEXES, EVENTS } from '../../src/sources/behaviour/queries';
import { CRM_COLUMNS } from '../../src/sources/crm/catalogue';
import { CRM_TABLES } from '../../src/sources/crm/ddl';

/** The repository carries copies of the shared source contracts; they must not drift from the originals. */
describe.each(['crm.sql', 'behaviour.md', 'social.md'])('contracts/%s', (file) => {
  const shared = path.resolve(__dirname, '../../../shared/contracts', file);
  const local = path.resolve(__dirname, '../../contracts', file);
  // The shared contracts sit beside the repository on the team's machines; a bare clone skips this.
  (existsSync(shared) ? it : it.skip)('is the shared contract, byte for byte', () => {
    expect(readFileSync(local, 'utf8')).toBe(readFileSync(shared, 'utf8'));
  });
});

/** The dev-tool packages hold their own copies of what they share with the API (they import nothing of src/). */
describe('the packages agree with the API', () => {
  it('@c360/demo-data loads the CRM tables, events collection and indexes the API reads', () => {
    expect([...demo.CRM_TABLES]).toEqual([...CRM_TABLES]);
    // Its column list per table is the API's reading of the contract (CRM_COLUMNS), column for column.
    for (const table of CRM_TABLES)
      expect([table, Object.keys(demo.CRM_TABLE_TYPES[table]).sort()]).toEqual([table, Object.keys(CRM_COLUMNS[table]).sort()]);
    expect(demo.EVENTS).toBe(EVENTS);
    expect(demo.EVENT_INDEXES).toEqual(EVENT_INDEXES);
  });

  it('@c360/social-provider reads its accounts where the API and the seed put them', () => {
    const config = { DATA_DIR: '/data', SOCIAL_API_URL: undefined } as unknown as Config;
    expect(embeddedSocialFile(config)).toBe(socialAccountsPath('/data'));
  });
});
