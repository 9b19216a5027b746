import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { crmDdl } from '../../src/sources/crm/ddl';

/** The repository carries copies of the shared source contracts; they must not drift from the originals. */
describe.each(['crm.sql', 'behaviour.md', 'social.md'])('contracts/%s', (file) => {
  const shared = path.resolve(__dirname, '../../../shared/contracts', file);
  const local = path.resolve(__dirname, '../../contracts', file);
  // The shared contracts sit beside the repository on the team's machines; a bare clone skips this.
  (existsSync(shared) ? it : it.skip)('is the shared contract, byte for byte', () => {
    expect(readFileSync(local, 'utf8')).toBe(readFileSync(shared, 'utf8'));
  });
});

describe('the CRM tables the embedded store creates', () => {
  it('are contracts/crm.sql, byte for byte', () => {
    expect(crmDdl()).toBe(readFileSync(path.resolve(__dirname, '../../contracts/crm.sql'), 'utf8'));
  });
});
