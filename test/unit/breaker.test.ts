import { SourceError } from '../../src/errors';
import { createSourceBreaker, type BreakerState } from '../../src/sources/breaker';

describe("a source's circuit breaker", () => {
  it('tells its listeners each state: open after the failures, half_open for the probe, closed when it answers', async () => {
    const breaker = createSourceBreaker('crm', 2, 50);
    const seen: BreakerState[] = [];
    breaker.onStateChange((state) => seen.push(state));
    const down = () => Promise.reject(new SourceError('crm', 'unreachable', new Error('ECONNREFUSED')));
    for (let i = 0; i < 2; i++) await expect(breaker.run(down)).rejects.toMatchObject({ reason: 'unreachable' });
    await expect(breaker.run(() => Promise.resolve(1))).rejects.toMatchObject({ reason: 'circuit_open' });
    expect(seen).toEqual(['open']);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await expect(breaker.run(() => Promise.resolve(1))).resolves.toBe(1);
    expect(seen).toEqual(['open', 'half_open', 'closed']);
  });
});
