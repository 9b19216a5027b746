import type { RunningSocialProvider } from '@c360/social-provider';
import type { Deps } from '../../src/context';
import { scheduleSnapshots } from '../../src/snapshot/schedule';
import { createDb } from '../../src/sources/crm/db';
import { completeSnapshots } from '../../src/sources/crm/snapshots';
import { noRoundTrips } from '../../src/sources/roundTrips';
import { fixtureDataset } from '../fixtures/crm';
import { createCrmDatabase, type TestStores } from '../helpers/database';
import { testDeps, withSocialProvider } from '../helpers/server';

let db: TestStores;
let provider: RunningSocialProvider;
let deps: Deps;
beforeAll(async () => {
  db = await createCrmDatabase('snapshot-schedule', fixtureDataset());
  // A build needs every source answering (a profile without one is left to resume): the bundled provider, no accounts.
  const source = await withSocialProvider(db, []);
  provider = source.provider;
  deps = await testDeps(db, { config: source.config, social: source.social });
});
afterAll(async () => {
  await provider?.close();
  await db?.drop();
});

/** Snapshot versions in any state: a build writes its version row when it starts. */
const versions = async () => (await db.pool.query('SELECT count(*)::int AS n FROM c360.snapshots')).rows[0].n as number;

const recoBuilds = async () =>
  (await db.pool.query(`SELECT count(*) FILTER (WHERE status = 'complete')::int AS n FROM c360.reco_builds`)).rows[0].n as number;

async function until(ms: number, done: () => Promise<boolean>): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (await done()) return true;
  return false;
}

async function builtWithin(ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    if ((await completeSnapshots(createDb(db.pool, noRoundTrips()), 1)).length > 0) return true;
  }
  return false;
}

describe('the snapshot scheduler', () => {
  it('builds nothing by itself on a real CRM without an interval', async () => {
    const stop = scheduleSnapshots(deps, 0, { embedded: false, firstDelayMs: 10 });
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await versions()).toBe(0); // not even started
    } finally {
      await stop();
    }
  });

  it('builds the first snapshot soon after start when an interval is set (compose), not an interval later', async () => {
    expect(await versions()).toBe(0);
    const stop = scheduleSnapshots(deps, 60, { embedded: false, firstDelayMs: 10 });
    try {
      expect(await builtWithin(30_000)).toBe(true);
      // Then the recommendations, none being built yet: recommendations answer from the first minute too.
      expect(await until(30_000, async () => (await recoBuilds()) === 1)).toBe(true);
    } finally {
      await stop();
    }
  });

  it("builds no recommendations at start when a build is complete (later ones are the operator's)", async () => {
    expect(await recoBuilds()).toBe(1);
    const stop = scheduleSnapshots(deps, 60, { embedded: true, firstDelayMs: 10 });
    try {
      await new Promise((r) => setTimeout(r, 1_500));
    } finally {
      await stop();
    }
    expect((await db.pool.query('SELECT count(*)::int AS n FROM c360.reco_builds')).rows[0].n).toBe(1);
  });
});
