import { SourceError } from '../../errors';

/** A driver failure as a behaviour SourceError when MongoDB is unreachable or slow; null for anything else (a bug). */
export function behaviourSourceError(e: unknown): SourceError | null {
  const err = e as { name?: string; code?: number; message?: string };
  const name = err.name ?? '';
  if (err.code === 50 || /Timeout/.test(name) || /timed out/i.test(err.message ?? '')) return new SourceError('behaviour', 'timeout', e);
  if (/ServerSelection|Network|PoolCleared|TopologyClosed|NotConnected/.test(name)) return new SourceError('behaviour', 'unreachable', e);
  return null;
}
