import { progressBar } from '../../src/cli/progress';

/** A stream that records what is written, a terminal or not. */
const sink = (isTTY: boolean) => {
  const written: string[] = [];
  return { isTTY, written, write: (s: string) => written.push(s) > 0 } as unknown as NodeJS.WritableStream & {
    isTTY: boolean;
    written: string[];
  };
};

describe('the progress bar of long commands', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('on a terminal, redraws one line per step with done/total, rate and ETA, each step on its own clock', () => {
    const out = sink(true);
    const bar = progressBar(out);
    jest.advanceTimersByTime(2000);
    bar.update('loading orders', 500, 2000);
    expect(out.written.at(-1)).toBe(`\r\x1b[Kloading orders [########                      ] 500/2000 · 250/s · ETA 6s`);
    jest.advanceTimersByTime(1000);
    bar.update('loading items', 100, 100);
    expect(out.written.slice(-2)).toEqual(['\n', `\r\x1b[Kloading items [${'#'.repeat(30)}] 100/100 · 100/s · ETA 0s`]);
    bar.end();
    expect(out.written.at(-1)).toBe('\n');
  });

  it('elsewhere, prints a plain line every few seconds and one at the end, never a bar', () => {
    const out = sink(false);
    const bar = progressBar(out, 5000);
    for (let done = 100; done <= 1000; done += 100) {
      jest.advanceTimersByTime(1000);
      bar.update('loading events', done, 1000);
    }
    bar.end();
    expect(out.written).toEqual(['loading events: 500/1000 · 100/s · ETA 5s\n', 'loading events: 1000/1000 · 100/s · ETA 0s\n']);
  });
});
