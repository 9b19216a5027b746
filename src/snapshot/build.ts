import { createHash } from 'node:crypto';
import { createDerivationScope, type DerivationDeps as Deps } from '../context';
import { SnapshotKind } from '../enums';
import { identifiersSeen } from '../sources/behaviour/queries';
import { createDb, inTransaction, type Db } from '../sources/crm/db';
import * as s from '../sources/crm/snapshots';
import { noRoundTrips } from '../sources/roundTrips';
import { profileOf } from './profile';

/**
 * Builds a profile snapshot version: every survivor (full) or the customers with something new since
 * the latest version (incremental: the others' rows are copied), in batches of `batchSize`, each
 * batch through one derivation scope (its own loaders), so through the API's own facts and rules with
 * one round trip per source per batch. A batch's rows and the build's cursor are written in one transaction; a build
 * that stopped (crash, source down) is resumed from its cursor by the next call, with its own `as_of`.
 * The version becomes visible to readers only when complete (completeSnapshot). One build at a time
 * (advisory lock): a second caller gets null.
 */

export interface BuildProgress {
  version: number;
  kind: SnapshotKind;
  done: number;
  total: number;
}

export interface BuildResult {
  version: number;
  kind: SnapshotKind;
  asOf: Date;
  resumed: boolean;
  /** Rows computed by this call, and rows copied unchanged from the base version (incremental). */
  computed: number;
  copied: number;
  ms: number;
}

export interface BuildOptions {
  incremental?: boolean;
  batchSize?: number;
  now?: Date;
  /** Drop an unfinished build and start afresh instead of resuming it. */
  restart?: boolean;
  /** A pause between batches, leaving the sources to the API's requests (the in-process scheduler). */
  pauseMs?: number;
  /** Called after each batch is written; awaited (a reporter may take its time; a throw stops the build, resumable). */
  onProgress?: (p: BuildProgress) => void | Promise<void>;
}

/** An incremental build whose lineage's full build is older than this becomes a full one (what time alone moves a little: churn scores, decaying interests). */
const FULL_EVERY_MS = 24 * 3_600_000;
/** Orders placed this many days before the base are recomputed too: their status may have changed (the CRM keeps no update time). */
const ORDER_LOOKBACK_DAYS = 30;

const LOCK = `hashtext('c360.profile_snapshot')`;

/** The days "since last activity / last order" boundaries the derived stages, RFM recency and the potential tier turn on. */
function boundaries(deps: Deps): number[] {
  const r = deps.rules;
  return [
    ...new Set([
      r.lifecycle.activeDays,
      r.lifecycle.atRiskDays,
      r.lifecycle.dormantDays,
      r.valueTier.potentialEventDays,
      ...r.rfm.recencyDays,
    ]),
  ];
}

/** The windows (days) an order counts in: RFM frequency and monetary, the order trend of churn. */
const orderWindows = (deps: Deps) => [
  ...new Set([deps.rules.rfm.windowDays, deps.rules.churn.frequencyWindowDays, 2 * deps.rules.churn.frequencyWindowDays]),
];

/** The windows (days) events count in: tag facts (30, 90 days) and the reactivation window. */
const eventWindows = (deps: Deps) => [...new Set([30, 90, deps.rules.lifecycle.reactivationWindowDays])];

/** What rows are computed with: the rules and the enabled tag definitions (key and version). Another fingerprint means a full build. */
export function fingerprintOf(deps: Deps): string {
  const tags = deps.tags
    .enabled()
    .map((t) => `${t.definition.key}@${t.definition.version}`)
    .sort();
  return createHash('sha256')
    .update(JSON.stringify({ rules: deps.rules, tags }))
    .digest('hex')
    .slice(0, 16);
}

export async function buildSnapshot(deps: Deps, opts: BuildOptions = {}): Promise<BuildResult | null> {
  const started = Date.now();
  const batchSize = opts.batchSize ?? 500;
  const lock = await deps.crmPool.connect();
  try {
    const { rows } = await lock.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK}) AS ok`);
    if (!rows[0]!.ok) return null;
    try {
      return await build(deps, opts, batchSize, started);
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(${LOCK})`);
    }
  } finally {
    lock.release();
  }
}

/**
 * The customers an incremental build recomputes: those with something new between its base and its
 * as_of (changedSince), events included: those that happened in between, those that arrived in
 * between (late events, by their ObjectId's time), and those that left a window in between.
 */
async function changed(deps: Deps, db: Db, base: s.SnapshotVersion, asOf: Date): Promise<string[]> {
  const events = await identifiersSeen(deps.behaviourDb, base.as_of, asOf, eventWindows(deps), deps.config.MONGODB_TIMEOUT_MS);
  return s.changedSince(db, {
    since: base.as_of,
    now: asOf,
    base: base.version,
    boundaries: boundaries(deps),
    orderWindows: orderWindows(deps),
    orderLookbackDays: ORDER_LOOKBACK_DAYS,
    events,
  });
}

/**
 * A new version: incremental over the latest complete one when asked, there is one, it was computed
 * with the same rules and tag definitions, and its lineage's full build is less than a day old (its
 * unchanged rows copied); else full.
 */
async function start(
  deps: Deps,
  db: Db,
  opts: BuildOptions,
): Promise<{ version: s.SnapshotVersion; only: string[] | null; copied: number }> {
  const asOf = opts.now ?? new Date();
  const fingerprint = fingerprintOf(deps);
  const [base] = opts.incremental ? await s.completeSnapshots(db, 1) : [];
  const fresh = base && base.fingerprint === fingerprint && base.full_as_of && asOf.getTime() - base.full_as_of.getTime() < FULL_EVERY_MS;
  if (!base || !fresh) {
    const version = await s.startSnapshot(db, {
      kind: SnapshotKind.FULL,
      base: null,
      asOf,
      total: await s.countSurvivors(db, null),
      fingerprint,
      fullAsOf: asOf,
    });
    return { version, only: null, copied: 0 };
  }
  const only = await changed(deps, db, base, asOf);
  const total = await s.countSurvivors(db, only);
  return inTransaction(deps.crmPool, noRoundTrips(), async (tx) => {
    const version = await s.startSnapshot(tx, {
      kind: SnapshotKind.INCREMENTAL,
      base: base.version,
      asOf,
      total,
      fingerprint,
      fullAsOf: base.full_as_of!,
    });
    return { version, only, copied: await s.copyUnchanged(tx, version.version, base.version, only) };
  });
}

/** The changed customers of an unfinished incremental build, found again (a superset of the first time's). */
async function resume(deps: Deps, db: Db, version: s.SnapshotVersion): Promise<string[] | null> {
  if (version.kind === SnapshotKind.FULL) return null;
  const base = await s.snapshotByVersion(db, version.base_version!);
  if (!base) throw new Error(`snapshot ${version.base_version}, the base of the unfinished build ${version.version}, is gone`);
  return changed(deps, db, base, version.as_of);
}

async function build(deps: Deps, opts: BuildOptions, batchSize: number, started: number): Promise<BuildResult> {
  const db = createDb(deps.crmPool, noRoundTrips());
  let unfinished = await s.unfinishedSnapshot(db);
  if (unfinished && (opts.restart || unfinished.fingerprint !== fingerprintOf(deps))) {
    await s.abandonSnapshot(db, unfinished.version);
    unfinished = null;
  }
  const { version, only, copied } = unfinished
    ? { version: unfinished, only: await resume(deps, db, unfinished), copied: 0 }
    : await start(deps, db, opts);
  const { version: v, kind, as_of: asOf } = version;
  let cursor = version.cursor;
  let done = version.customers;
  let computed = 0;
  for (;;) {
    const ids = await s.survivorsAfter(db, cursor, batchSize, only);
    if (ids.length === 0) break;
    // Its own loaders per batch (one round trip per source for the batch), no caller, audit or budget.
    const scope = createDerivationScope(deps, noRoundTrips(), asOf);
    const profiles = await Promise.all(ids.map((id) => profileOf(scope, id, asOf)));
    const from = cursor;
    cursor = ids.at(-1)!;
    await inTransaction(deps.crmPool, noRoundTrips(), (tx) => s.writeProfiles(tx, v, profiles, from, cursor!));
    done += ids.length;
    computed += ids.length;
    await opts.onProgress?.({ version: v, kind, done, total: version.total });
    if (opts.pauseMs) await new Promise((resolve) => setTimeout(resolve, opts.pauseMs));
  }
  await inTransaction(deps.crmPool, noRoundTrips(), (tx) => s.completeSnapshot(tx, v));
  return { version: v, kind, asOf, resumed: unfinished !== null, computed, copied, ms: Date.now() - started };
}
