/**
 * A seeded pseudo-random generator (sfc32, seeded through splitmix32): the provider's error-rate
 * sequence (--error-rate/--seed), and the demo data's draws (@c360/demo-data, which depends on this package).
 * Contract: the same seed yields the same sequence of draws on every platform; Math.random is never used.
 * Seeds are taken as unsigned 32-bit integers (other numbers are truncated).
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix32 = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = Math.imul(s ^ (s >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix32();
    this.b = splitmix32();
    this.c = splitmix32();
    this.d = splitmix32();
    for (let i = 0; i < 12; i++) this.float();
  }

  /** Uniform in [0, 1). */
  float(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element, uniformly; throws on an empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** One value with probability proportional to its weight; throws when no weight is positive. */
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    let r = this.float() * pairs.reduce((sum, [, w]) => sum + Math.max(0, w), 0);
    let chosen: readonly [T, number] | undefined;
    for (const pair of pairs) {
      if (pair[1] <= 0) continue;
      chosen = pair;
      r -= pair[1];
      if (r < 0) break;
    }
    if (!chosen) throw new RangeError('weighted pick without positive weights');
    return chosen[0];
  }

  /** `k` distinct elements (fewer if the list is shorter), in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < k && pool.length > 0) {
      const [item] = pool.splice(Math.floor(this.float() * pool.length), 1);
      if (item !== undefined) out.push(item);
    }
    return out;
  }

  /** `length` lower-case hexadecimal digits. */
  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += this.int(0, 15).toString(16);
    return out;
  }
}
