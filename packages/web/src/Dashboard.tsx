import { useEffect, useState, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { download, request, RequestFailed } from './api';
import type {
  DashboardSegmentsQuery,
  DashboardStatsQuery,
  LifecycleStage,
  SegmentFilter,
  SegmentMembersQuery,
  ValueTier,
} from './__generated__/graphql';
import { age, count, date, label, Pii, shortMoney } from './format';
import { DashboardSegments, DashboardStats, SegmentMembers } from './operations';
import type { Session } from './session';

type Stats = DashboardStatsQuery['customerStats'];
type Segment = DashboardSegmentsQuery['segments'][number];

/** Funnel order: from first contact to gone. */
const STAGES: LifecycleStage[] = ['PROSPECT', 'NEW', 'ACTIVE', 'REACTIVATED', 'AT_RISK', 'DORMANT', 'CHURNED'];
const TIERS: ValueTier[] = ['HIGH_VALUE', 'REGULAR', 'POTENTIAL', 'LOW'];
const COLOURS = ['#1f6feb', '#2da44e', '#8250df', '#bf8700', '#cf222e', '#57606a', '#0a7ea4'];

interface Filters {
  stage: string;
  tier: string;
  tag: string;
  city: string;
}
const NO_FILTERS: Filters = { stage: '', tier: '', tag: '', city: '' };

/** The filters as customerStats takes them (a select left at "all" adds no condition). */
export function segmentFilter(f: Filters): SegmentFilter | null {
  const filter: SegmentFilter = {};
  if (f.stage) filter.stages = [f.stage as LifecycleStage];
  if (f.tier) filter.tiers = [f.tier as ValueTier];
  if (f.tag) filter.tagsAll = [f.tag];
  if (f.city) filter.cities = [f.city];
  return Object.keys(filter).length ? filter : null;
}

/** A chart with its numbers in a table beside it (for screen readers, keyboards and exact reading). */
/** `rows`: [key as the API names it, text shown, count]. */
function Figure({
  id,
  title,
  keyName,
  chart,
  rows,
}: {
  id: string;
  title: string;
  keyName: string;
  chart: ReactNode;
  rows: [string, string, number][];
}) {
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {rows.length === 0 ? (
        <p className="empty">No customers.</p>
      ) : (
        <>
          <div className="chart" aria-hidden="true">
            {chart}
          </div>
          <table className="figures" data-stat={id}>
            <thead>
              <tr>
                <th scope="col">{keyName}</th>
                <th scope="col" className="num">
                  Customers
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([key, text, n]) => (
                <tr key={key} data-key={key}>
                  <th scope="row">{text}</th>
                  <td className="num">{count(n)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Bars({ rows, vertical }: { rows: [string, number][]; vertical?: boolean }) {
  const data = rows.map(([name, value]) => ({ name, value }));
  return (
    <ResponsiveContainer width="100%" height={vertical ? Math.max(160, rows.length * 28) : 200}>
      <BarChart
        data={data}
        layout={vertical ? 'vertical' : 'horizontal'}
        margin={{ left: 8, right: 16, top: 8, bottom: 8 }}
        accessibilityLayer={false}
      >
        <CartesianGrid strokeDasharray="3 3" />
        {vertical ? <XAxis type="number" allowDecimals={false} /> : <XAxis dataKey="name" interval={0} />}
        {vertical ? <YAxis type="category" dataKey="name" width={110} interval={0} /> : <YAxis allowDecimals={false} />}
        <Tooltip />
        <Bar dataKey="value" name="Customers" isAnimationActive={false}>
          {data.map((d, i) => (
            <Cell key={d.name} fill={COLOURS[i % COLOURS.length]} />
          ))}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Recency (rows, 5 = most recent) × frequency (columns): customers and their 365-day spend per cell, darker for more. */
function Heatmap({ grid }: { grid: Stats['rfmGrid'] }) {
  const max = Math.max(1, ...grid.map((c) => c.count));
  const cell = (r: number, f: number) => grid.find((c) => c.recency === r && c.frequency === f);
  return (
    <section className="card" aria-labelledby="rfm-title">
      <h2 id="rfm-title">Recency × frequency, with spend</h2>
      <table className="heatmap" data-stat="rfmGrid">
        <caption className="muted">Customers and 365-day spend by RFM score (5 is best)</caption>
        <thead>
          <tr>
            <th scope="col">R \ F</th>
            {[1, 2, 3, 4, 5].map((f) => (
              <th key={f} scope="col">
                F{f}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[5, 4, 3, 2, 1].map((r) => (
            <tr key={r}>
              <th scope="row">R{r}</th>
              {[1, 2, 3, 4, 5].map((f) => {
                const c = cell(r, f);
                const level = c ? Math.ceil((c.count / max) * 4) : 0;
                return (
                  <td key={f} className={`heat-${level}`} data-key={`${r}${f}`}>
                    {c ? (
                      <>
                        <span className="heat-count">{count(c.count)}</span>
                        <span className="heat-spend">{shortMoney(c.monetary)}</span>
                      </>
                    ) : (
                      '·'
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Select({
  id,
  name,
  value,
  options,
  onChange,
}: {
  id: string;
  name: string;
  value: string;
  options: [string, string][];
  onChange: (v: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{name}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function SegmentRow({ session, segment }: { session: Session; segment: Segment }) {
  const [members, setMembers] = useState<NonNullable<SegmentMembersQuery['segment']>['members'] | 'loading' | null>(null);
  const [problem, setProblem] = useState('');
  const toggle = async () => {
    if (members) return setMembers(null);
    setMembers('loading');
    try {
      setMembers((await request(session, SegmentMembers, { id: segment.id })).data!.segment?.members ?? null);
    } catch (e) {
      setMembers(null);
      setProblem(e instanceof RequestFailed ? e.message : 'The members could not be loaded.');
    }
  };
  const exportCsv = () =>
    download(session, segment.exportPath, `${segment.name}.csv`).catch((e: unknown) =>
      setProblem(e instanceof RequestFailed ? e.message : 'The export failed.'),
    );
  return (
    <li className="segment">
      <div className="segment-head">
        <strong>{segment.name}</strong> <span className="count">{count(segment.count)}</span>
        <button type="button" aria-expanded={!!members} onClick={() => void toggle()}>
          Members
        </button>
        <a href={segment.exportPath} onClick={(e) => (e.preventDefault(), void exportCsv())}>
          Export CSV
        </a>
      </div>
      {segment.description && <p className="muted">{segment.description}</p>}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {members === 'loading' && <p className="loading">Loading members…</p>}
      {members && members !== 'loading' && (
        <ul className="members">
          {members.edges.map(({ node }) => (
            <li key={node.id}>
              <a href={`/app?q=${node.id}`}>
                <Pii value={node.profile.fullName} masked />
              </a>{' '}
              <span className="muted">
                {node.profile.city ?? ''} {node.valueTier ? `· ${label(node.valueTier)}` : ''}
              </span>
            </li>
          ))}
          {members.totalCount > members.edges.length && (
            <li className="muted">and {count(members.totalCount - members.edges.length)} more</li>
          )}
        </ul>
      )}
    </li>
  );
}

/** The analyst's dashboard: the current snapshot's population, filtered, and the saved segments. */
export function Dashboard({ session }: { session: Session }) {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [stats, setStats] = useState<Stats | null>(null);
  const [options, setOptions] = useState<{ tags: string[]; cities: string[] } | null>(null);
  const [segments, setSegments] = useState<Segment[] | null>(null);
  const [problem, setProblem] = useState('');
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let current = true;
    setLoading(true);
    request(session, DashboardStats, { filter: segmentFilter(filters) })
      .then(({ data, errors }) => {
        if (!current) return;
        const notBuilt = errors.find((e) => e.extensions?.source === 'snapshot');
        if (!data?.customerStats)
          throw new RequestFailed(
            notBuilt?.extensions?.reason === 'not_built'
              ? 'No profile snapshot has been built yet. The demo builds its first about 15 seconds after start; elsewhere run `npm run snapshot`.'
              : (errors[0]?.message ?? 'The figures could not be loaded.'),
          );
        setStats(data.customerStats);
        setProblem('');
        // The choices come from the whole population, read once (before any filter narrows it).
        setOptions(
          (o) =>
            o ?? {
              tags: data.customerStats.byTag.flatMap((t) => (t.key ? [t.key] : [])),
              cities: data.customerStats.byCity.flatMap((c) => (c.key ? [c.key] : [])),
            },
        );
      })
      .catch((e: unknown) => current && setProblem(e instanceof RequestFailed ? e.message : 'The figures could not be loaded.'))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [session, filters]);

  useEffect(() => {
    request(session, DashboardSegments, {})
      .then(({ data }) => setSegments(data!.segments))
      .catch(() => setSegments([]));
  }, [session]);

  const set = (key: keyof Filters) => (value: string) => setFilters((f) => ({ ...f, [key]: value }));
  const byStage = new Map(stats?.byStage.map((s) => [s.stage, s.count]));
  const byTier = new Map(stats?.byTier.map((s) => [s.tier, s.count]));

  return (
    <>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <Select id="f-stage" name="Stage" value={filters.stage} options={STAGES.map((s) => [s, label(s)])} onChange={set('stage')} />
        <Select id="f-tier" name="Tier" value={filters.tier} options={TIERS.map((t) => [t, label(t)])} onChange={set('tier')} />
        <Select id="f-tag" name="Tag" value={filters.tag} options={(options?.tags ?? []).map((t) => [t, t])} onChange={set('tag')} />
        <Select id="f-city" name="City" value={filters.city} options={(options?.cities ?? []).map((c) => [c, c])} onChange={set('city')} />
        <button type="button" onClick={() => setFilters(NO_FILTERS)} disabled={filters === NO_FILTERS}>
          Clear
        </button>
      </form>
      <div aria-live="polite" aria-busy={loading}>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        {loading && !stats && <p className="loading">Loading the figures…</p>}
        {stats && (
          <>
            <p className="summary">
              <span className="total" data-stat="total">
                {count(stats.total)}
              </span>{' '}
              customers match{loading && <span className="muted"> (updating…)</span>} ·{' '}
              <span data-stat="snapshot">
                snapshot v{stats.snapshot.version} ({label(stats.snapshot.kind)}) of {count(stats.snapshot.customers)} customers, computed
                for {date(stats.snapshot.asOf)}, {age(stats.snapshot.ageSeconds)} old
              </span>
            </p>
            {stats.total === 0 ? (
              <p className="empty">No customer matches these filters: clear one to see more.</p>
            ) : (
              <div className="grid">
                <Figure
                  id="byStage"
                  title="Lifecycle funnel"
                  keyName="Stage"
                  rows={STAGES.filter((s) => byStage.has(s)).map((s) => [s, label(s), byStage.get(s)!])}
                  chart={<Bars vertical rows={STAGES.filter((s) => byStage.has(s)).map((s) => [label(s), byStage.get(s)!])} />}
                />
                <Figure
                  id="byTier"
                  title="Value tiers"
                  keyName="Tier"
                  rows={TIERS.filter((t) => byTier.has(t)).map((t) => [t, label(t), byTier.get(t)!])}
                  chart={<Bars vertical rows={TIERS.filter((t) => byTier.has(t)).map((t) => [label(t), byTier.get(t)!])} />}
                />
                <Heatmap grid={stats.rfmGrid} />
                <Figure
                  id="byTag"
                  title="Top tags"
                  keyName="Tag"
                  rows={stats.byTag.map((t) => [t.key ?? '(none)', t.key ?? '(none)', t.count])}
                  chart={<Bars vertical rows={stats.byTag.map((t) => [t.key ?? '(none)', t.count])} />}
                />
                <Figure
                  id="byCity"
                  title="Top cities"
                  keyName="City"
                  rows={stats.byCity.map((c) => [c.key ?? '(none)', c.key ?? '(no city)', c.count])}
                  chart={<Bars vertical rows={stats.byCity.map((c) => [c.key ?? '(no city)', c.count])} />}
                />
                <section className="card" aria-labelledby="transitions-title">
                  <h2 id="transitions-title">Stage transitions</h2>
                  {stats.previousSnapshot && stats.transitions.length > 0 ? (
                    <table data-stat="transitions">
                      <caption className="muted">
                        From snapshot v{stats.previousSnapshot.version} to v{stats.snapshot.version}
                      </caption>
                      <thead>
                        <tr>
                          <th scope="col">From</th>
                          <th scope="col">To</th>
                          <th scope="col" className="num">
                            Customers
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {stats.transitions.map((t) => (
                          <tr key={`${t.from}-${t.to}`}>
                            <td>{t.from ? label(t.from) : 'new in snapshot'}</td>
                            <td>{label(t.to)}</td>
                            <td className="num">{count(t.count)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  ) : (
                    <p className="empty">One snapshot so far: transitions show once the next one is built.</p>
                  )}
                </section>
              </div>
            )}
          </>
        )}
      </div>
      <section className="card segments" aria-labelledby="segments-title">
        <h2 id="segments-title">Segments</h2>
        {segments === null ? (
          <p className="loading">Loading segments…</p>
        ) : segments.length === 0 ? (
          <p className="empty">No saved segments yet (createSegment saves one).</p>
        ) : (
          <ul>
            {segments.map((s) => (
              <SegmentRow key={s.id} session={session} segment={s} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
