import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** A server the bench started as its own process, and how to read its CPU time and memory. */
export interface Service {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Spawns `args` with the Node binary `node` (by default the one running the bench) and resolves once
 * a line of its output matches `ready` (group 1: the URL). Output is kept for the error message when
 * it exits or does not get ready in time.
 */
export function startService(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  { node = process.execPath, timeoutMs = 120_000 }: { node?: string; timeoutMs?: number } = {},
): Promise<Service> {
  const child: ChildProcess = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start within ${timeoutMs} ms:\n${output.slice(-2000)}`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 100_000) output = output.slice(-50_000);
      const m = ready.exec(output);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      // Past ready, only the latest output is kept: shown if the service ends before it is stopped.
      let tail = '';
      const keep = (more: Buffer) => void (tail = (tail + more.toString()).slice(-4000));
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      let stopping = false;
      child.off('exit', onExit);
      child.once('exit', (code, signal) => {
        if (!stopping) process.stderr.write(`\n${name} ended on its own (code ${code}, signal ${signal}); its last output:\n${tail}\n`);
      });
      resolve({
        name,
        url: m[1]!,
        pid: child.pid!,
        stop: () =>
          new Promise<void>((done) => {
            stopping = true;
            if (child.exitCode !== null) return done();
            const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(killer);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    };
    const onExit = (code: number | null) => fail(new Error(`${name} exited with ${code} before it was ready:\n${output.slice(-2000)}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by each PostgreSQL process on the machine (the postmaster and its backends;
 * the bench's embedded server is the only one while it runs), by pid.
 */
export function postgresCpu(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byPid.set(Number(pid), (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND);
    } catch {
      // the process ended while the directory was read
    }
  }
  return byPid;
}

/**
 * PostgreSQL's CPU seconds since `before` (postgresCpu): each process's growth, a process started
 * since counted whole. A backend that exited in between is not counted (its CPU is gone from /proc);
 * the measured server's pool keeps its backends for the whole cell.
 */
export function postgresCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of postgresCpu()) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** A process's I/O so far, from /proc/<pid>/io: read and write system calls and the bytes they moved (sockets included). */
export function ioCounts(pid: number): { syscr: number; syscw: number; rchar: number; wchar: number } {
  const io = Object.fromEntries(
    readFileSync(`/proc/${pid}/io`, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(': ') as [string, string]),
  );
  return { syscr: Number(io.syscr), syscw: Number(io.syscw), rchar: Number(io.rchar), wchar: Number(io.wchar) };
}

/** Resident memory of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}
