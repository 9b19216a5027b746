import { ANSWERS, type Sample } from './soakLoad';

/** A fault's window: from its start to its source's return (ms since the soak started). */
export interface Window {
  name: string;
  source: string;
  /** Whether the source was down for the whole window (Fault.down). */
  down: boolean;
  start: number;
  returned: number;
}

/** The series of one /metrics scrape (ms since the soak started). */
export interface Scrape {
  t: number;
  heapAfterGcMiB: number;
  rssMiB: number;
  eventLoopP99Ms: number;
  handles: number;
  poolInUse: number;
  poolWaiting: number;
  inFlight: number;
  errorsByCode: Record<string, number>;
}

const PANEL_HEIGHT = 130;
const GAP = 45;

/**
 * The soak's series over time as an SVG (Vega, rendered in Node without a browser): one panel each for
 * memory, event-loop delay, open handles with the CRM pool and requests in flight, and answers per
 * second (all, and not whole); fault windows shaded and labelled by source.
 */
export async function chartSvg(scrapes: Scrape[], samples: Sample[], windows: Window[], title: string): Promise<string> {
  const vega = await import('vega');
  const s = (t: number) => Math.round(t / 100) / 10;
  const rows: { panel: string; series: string; t: number; value: number }[] = [];
  const add = (panel: string, series: string, pick: (x: Scrape) => number) =>
    scrapes.forEach((x) => Number.isFinite(pick(x)) && rows.push({ panel, series, t: s(x.t), value: pick(x) }));
  add('memory (MiB)', 'heap after GC', (x) => x.heapAfterGcMiB);
  add('memory (MiB)', 'RSS', (x) => x.rssMiB);
  add('event-loop delay p99 (ms)', 'event-loop p99', (x) => x.eventLoopP99Ms);
  add('handles, pool, in flight', 'open handles', (x) => x.handles);
  add('handles, pool, in flight', 'CRM pool in use', (x) => x.poolInUse);
  add('handles, pool, in flight', 'CRM pool waiting', (x) => x.poolWaiting);
  add('handles, pool, in flight', 'requests in flight', (x) => x.inFlight);
  const bucket = 5000;
  const end = Math.max(0, ...samples.map((x) => x.end), ...scrapes.map((x) => x.t));
  for (let from = 0; from < end; from += bucket) {
    const answered = samples.filter((x) => x.end >= from && x.end < from + bucket);
    const notWhole = answered.filter((x) => x.status !== 200 || x.codes.some((c) => !ANSWERS.has(c)));
    rows.push({ panel: 'answers per second', series: 'answers/s', t: s(from + bucket), value: answered.length / (bucket / 1000) });
    rows.push({ panel: 'answers per second', series: 'not whole/s', t: s(from + bucket), value: notWhole.length / (bucket / 1000) });
  }
  const panels = [...new Set(rows.map((r) => r.panel))];
  const spec = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: 900,
    height: panels.length * (PANEL_HEIGHT + GAP),
    padding: 10,
    title: { text: title, anchor: 'start' },
    data: [
      { name: 'points', values: rows },
      { name: 'faults', values: windows.map((w) => ({ x0: s(w.start), x1: s(w.returned), label: w.source })) },
    ],
    scales: [
      { name: 'x', type: 'linear', domain: [0, s(end)], range: 'width' },
      { name: 'color', type: 'ordinal', domain: { data: 'points', field: 'series' }, range: 'category' },
    ],
    legends: [{ fill: 'color', stroke: 'color', orient: 'top', direction: 'horizontal', columns: 4 }],
    marks: panels.map((panel, i) => ({
      type: 'group',
      encode: { enter: { y: { value: i * (PANEL_HEIGHT + GAP) }, height: { value: PANEL_HEIGHT }, width: { signal: 'width' } } },
      data: [{ name: `d${i}`, source: 'points', transform: [{ type: 'filter', expr: `datum.panel === ${JSON.stringify(panel)}` }] }],
      scales: [{ name: 'y', type: 'linear', domain: { data: `d${i}`, field: 'value' }, range: [PANEL_HEIGHT, 0], nice: true, zero: true }],
      axes: [
        { orient: 'left', scale: 'y', title: panel, tickCount: 4, grid: true },
        { orient: 'bottom', scale: 'x', title: i === panels.length - 1 ? 'seconds since start (shaded: fault, source down)' : null },
      ],
      marks: [
        {
          type: 'rect',
          from: { data: 'faults' },
          encode: {
            enter: {
              x: { scale: 'x', field: 'x0' },
              x2: { scale: 'x', field: 'x1' },
              y: { value: 0 },
              y2: { value: PANEL_HEIGHT },
              fill: { value: '#d6604d' },
              opacity: { value: 0.25 },
            },
          },
        },
        {
          type: 'text',
          from: { data: 'faults' },
          encode: {
            enter: {
              x: { scale: 'x', field: 'x0' },
              y: { value: 10 },
              text: { field: 'label' },
              fontSize: { value: 9 },
              fill: { value: '#8c2d04' },
            },
          },
        },
        {
          type: 'group',
          from: { facet: { name: `s${i}`, data: `d${i}`, groupby: 'series' } },
          marks: [
            {
              type: 'line',
              from: { data: `s${i}` },
              encode: {
                enter: {
                  x: { scale: 'x', field: 't' },
                  y: { scale: 'y', field: 'value' },
                  stroke: { scale: 'color', field: 'series' },
                  strokeWidth: { value: 1.5 },
                },
              },
            },
          ],
        },
      ],
    })),
  };
  return new vega.View(vega.parse(spec as never), { renderer: 'none' }).toSVG();
}

interface Report {
  date: string;
  commit: string;
  node: string;
  cpus: number;
  settings: { minutes: number; concurrency: number; customers: number; chaos: boolean };
  passed: boolean;
  targets: { target: string; measured: string; met: boolean }[];
  totals: { requests: number; perSecond: number; p50: number; p99: number; codes: Record<string, number>; piiReads: number };
  byOperation: Record<string, { requests: number; p50: number; p99: number; notClean: number }>;
  faults: {
    name: string;
    startS: number;
    downS: number;
    requests: number;
    codes: Record<string, number>;
    unavailableBySource: Record<string, number>;
    maxLatencyMs: number;
    hung: number;
    unexpected: number;
    recoveryMs: number | null;
    readyz: { mustSeeDown: boolean; sawSourceDown: boolean; statusesWhileDown: string[]; upAgainAfterMs: number | null };
  }[];
  unexpectedCount: number;
  unexpected: Sample[];
  snapshots: { version: number; kind: string; status: string; customers: number }[];
  invariants: { clean: boolean; requestsMatched: number; results: { name: string; violations: number }[] };
}

const list = (m: Record<string, number>) =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '—';

const tally = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});

/** The run's figures against the issue's targets, its faults and operations, in markdown. */
export function toMarkdown(r: Report, chart: string): string {
  const lines = [
    `## Soak ${r.date.slice(0, 16).replace('T', ' ')} UTC, commit ${r.commit}${r.settings.chaos ? ', with chaos' : ''}`,
    '',
    `${r.settings.minutes} min at concurrency ${r.settings.concurrency} on ${r.settings.customers} customers, Node ${r.node}, ${r.cpus} CPUs; ` +
      `${r.totals.requests} requests (${r.totals.perSecond}/s), p50 ${r.totals.p50} ms, p99 ${r.totals.p99} ms; ` +
      `${r.totals.piiReads} reads of personal data matched against the audit log; snapshots built: ${r.snapshots.map((s) => `${s.version} ${s.kind} ${s.status}`).join(', ') || 'none'}.`,
    '',
    `![series over time](${chart})`,
    '',
    `**${r.passed ? 'All targets met.' : 'Targets not met.'}**`,
    '',
    '| target | measured | met |',
    '|---|---|---|',
    ...r.targets.map((t) => `| ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    `Error codes over the run: ${list(r.totals.codes)}.`,
    '',
  ];
  if (r.faults.length) {
    lines.push(
      '| fault | at s | down s | requests | codes in its window | SOURCE_UNAVAILABLE by source | max latency ms | hung | unexpected | recovery s | /readyz while down | /readyz up after s |',
      '|---|---:|---:|---:|---|---|---:|---:|---:|---:|---|---:|',
      ...r.faults.map(
        (f) =>
          `| ${f.name} | ${f.startS} | ${f.downS} | ${f.requests} | ${list(f.codes)} | ${list(f.unavailableBySource)} | ${f.maxLatencyMs} | ${f.hung} | ${f.unexpected} | ${f.recoveryMs === null ? 'never' : Math.round(f.recoveryMs / 100) / 10} | ${f.readyz.statusesWhileDown.join(', ')} | ${f.readyz.upAgainAfterMs === null ? 'never' : Math.round(f.readyz.upAgainAfterMs / 100) / 10} |`,
      ),
      '',
    );
  }
  lines.push(
    '| operation | requests | p50 ms | p99 ms | not whole |',
    '|---|---:|---:|---:|---:|',
    ...Object.entries(r.byOperation).map(([op, o]) => `| ${op} | ${o.requests} | ${o.p50} | ${o.p99} | ${o.notClean} |`),
    '',
    `Invariants (${r.invariants.requestsMatched} logged reads of personal data): ${r.invariants.results.map((x) => `${x.name} ${x.violations ? `**${x.violations}**` : 'ok'}`).join('; ')}.`,
    '',
  );
  if (r.unexpectedCount)
    lines.push(
      `Unexpected answers (${r.unexpectedCount}; the first ${r.unexpected.length}):`,
      '',
      ...r.unexpected.map(
        (x) =>
          `- ${Math.round(x.start / 100) / 10} s ${x.op} (${x.role}): HTTP ${x.status}, ${x.codes.length ? list(tally(x.codes)) : 'no errors'}${x.unavailable.length ? ` (unavailable: ${list(tally(x.unavailable))})` : ''}, ${x.end - x.start} ms`,
      ),
      '',
    );
  return `${lines.join('\n')}\n`;
}
