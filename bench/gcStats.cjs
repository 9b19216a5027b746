// Preloaded into a measured server by `npm run bench:profile -- --gc` (node --require): on the first
// SIGUSR2 it starts V8's GC profiler, on the second it writes what the young and old collections did
// in between to the file GC_STATS_FILE names: per kind, the collections, their milliseconds, and for
// scavenges the bytes that survived in the young generation and those promoted to the old one.
const fs = require('node:fs');
const v8 = require('node:v8');

let profiler = null;
const used = (stats, space) => stats.heapSpaceStatistics.find((s) => s.spaceName === space)?.spaceUsedSize ?? 0;

process.on('SIGUSR2', () => {
  if (!profiler) {
    profiler = new v8.GCProfiler();
    profiler.start();
    return;
  }
  const { statistics } = profiler.stop();
  profiler = null;
  const byKind = {};
  for (const s of statistics) {
    const k = (byKind[s.gcType] ??= { collections: 0, ms: 0, survivedBytes: 0, promotedBytes: 0 });
    k.collections += 1;
    k.ms += s.cost / 1000;
    if (s.gcType === 'Scavenge') {
      k.survivedBytes += used(s.afterGC, 'new_space');
      k.promotedBytes += Math.max(0, used(s.afterGC, 'old_space') - used(s.beforeGC, 'old_space'));
    }
  }
  fs.writeFileSync(process.env.GC_STATS_FILE, JSON.stringify(byKind));
});
