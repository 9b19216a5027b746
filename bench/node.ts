import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './dataset';

/** The major version of a Node version string ("24.22.3" → 24). */
export const majorOf = (version: string): number => Number(version.split('.')[0]);

/**
 * The path of a Node binary of exactly `version`: this process's own when it is that version;
 * otherwise `.bench/node-<version>/bin/node`, fetched once from the npm registry (the package
 * `node-<platform>-<arch>`, the official build repackaged) with `npm pack` and unpacked with `tar`.
 */
export function ensureNode(version: string, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): string {
  if (process.versions.node === version) return process.execPath;
  const dir = path.join(ROOT, '.bench', `node-${version}`);
  const bin = path.join(dir, 'bin', 'node');
  if (existsSync(bin)) return bin;
  const pkg = `node-${process.platform}-${process.arch}@${version}`;
  log(`fetching Node ${version} (npm pack ${pkg}, ~50 MB) into ${path.relative(ROOT, dir)} (once; later runs reuse it) …`);
  mkdirSync(path.dirname(dir), { recursive: true });
  // Unpacked next to its destination and renamed into place: an interrupted fetch leaves no half binary.
  const tmp = mkdtempSync(`${dir}.tmp-`);
  try {
    try {
      execFileSync('npm', ['pack', pkg, '--pack-destination', tmp], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const stderr = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message);
      if (/E404|No matching version|notarget/i.test(stderr))
        throw new Error(`no Node ${version} for ${process.platform}-${process.arch} on the npm registry (package ${pkg})`, {
          cause: e,
        });
      throw new Error(`fetching Node ${version} (npm pack ${pkg}) failed:\n${stderr.trim().split('\n').slice(-5).join('\n')}`, {
        cause: e,
      });
    }
    const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${pkg} wrote no tarball`);
    execFileSync('tar', ['-xzf', path.join(tmp, tarball), '-C', tmp]);
    const unpacked = path.join(tmp, 'package');
    const got = execFileSync(path.join(unpacked, 'bin', 'node'), ['--version'])
      .toString()
      .trim();
    if (got !== `v${version}`) throw new Error(`${pkg} holds Node ${got}, not ${version}`);
    renameSync(unpacked, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}
