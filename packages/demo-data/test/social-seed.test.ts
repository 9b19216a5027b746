import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateCrmDatasetWithPersonas } from '../src/generate';
import { loadSocialAccounts, saveSocialAccounts } from '@c360/social-provider';
import { generateSocialAccounts } from '../src/social';

const NOW = new Date('2026-03-15T12:00:00Z');
const DAY_MS = 86_400_000;
const { dataset: ds } = generateCrmDatasetWithPersonas({ customers: 2000, seed: 42, now: NOW });
const accounts = generateSocialAccounts(ds, { seed: 42, now: NOW });
const socialIdentities = ds.customer_identities.filter((i) => i.kind === 'social');
const ownerOf = new Map(socialIdentities.map((i) => [i.value.toLowerCase(), i.customer_id]));
const keyOf = (a: { platform: string; handle: string }) => `${a.platform}:${a.handle}`.toLowerCase();
const allPosts = accounts.flatMap((a) => a.posts);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('generateSocialAccounts', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateSocialAccounts(ds, { seed: 42, now: NOW })).toEqual(accounts);
    expect(generateSocialAccounts(ds, { seed: 43, now: NOW })).not.toEqual(accounts);
  });

  it('has one account per social identity, except about 10% the provider does not know', () => {
    expect(socialIdentities.length).toBeGreaterThan(500);
    const keys = accounts.map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(ownerOf.has(key)).toBe(true);
    const unknown = 1 - accounts.length / socialIdentities.length;
    expect(unknown).toBeGreaterThan(0.06);
    expect(unknown).toBeLessThan(0.14);
  });

  it('uses the platforms of the identities, lower-case, and every one of them', () => {
    const platforms = new Set(socialIdentities.map((i) => i.value.slice(0, i.value.indexOf(':'))));
    expect(new Set(accounts.map((a) => a.platform))).toEqual(platforms);
    expect([...platforms].sort()).toEqual(['douyin', 'instagram', 'wechat', 'weibo', 'x', 'xiaohongshu']);
  });

  it('gives realistic profiles: spread-out followers, a few verified, names of the customer', () => {
    const followers = accounts.map((a) => a.followers).sort((a, b) => a - b);
    const median = followers[Math.floor(followers.length / 2)]!;
    expect(median).toBeGreaterThan(50);
    expect(followers.at(-1)!).toBeGreaterThan(20 * median);
    const verified = accounts.filter((a) => a.verified).length;
    expect(verified).toBeGreaterThan(0);
    expect(verified).toBeLessThan(accounts.length * 0.1);
    const customers = new Map(ds.customers.map((c) => [c.id, c]));
    for (const a of accounts) {
      const name = customers.get(ownerOf.get(keyOf(a))!)!.full_name;
      const given = /[\u4e00-\u9fff]/.test(name) ? name.slice(-1) : name.split(' ')[0]!;
      expect(a.displayName).toContain(given);
      expect(a.url).toMatch(/^https:\/\//);
      expect(Number.isInteger(a.followers) && Number.isInteger(a.following)).toBe(true);
    }
  });

  it('has 0–40 posts an account, newest first, within the 365 days before now, sentiment in [-1, 1]', () => {
    for (const a of accounts) {
      expect(a.posts.length).toBeLessThanOrEqual(40);
      const times = a.posts.map((p) => Date.parse(p.postedAt));
      expect(times).toEqual([...times].sort((x, y) => y - x));
      for (const t of times) {
        expect(t).toBeLessThanOrEqual(NOW.getTime());
        expect(t).toBeGreaterThanOrEqual(NOW.getTime() - 365 * DAY_MS);
      }
      for (const p of a.posts) {
        expect(p.sentiment).toBeGreaterThanOrEqual(-1);
        expect(p.sentiment).toBeLessThanOrEqual(1);
        expect(p.topics.length).toBeGreaterThan(0);
        expect(p.text.length).toBeGreaterThan(0);
        for (const n of [p.likes, p.shares, p.comments]) expect(Number.isInteger(n) && n >= 0).toBe(true);
      }
    }
    expect(accounts.some((a) => a.posts.length === 0)).toBe(true);
    expect(new Set(allPosts.map((p) => p.id)).size).toBe(allPosts.length);
  });

  it('mentions the brand in about 30% of posts, about categories and service words', () => {
    const brand = allPosts.filter((p) => p.mentionsBrand);
    expect(brand.length / allPosts.length).toBeGreaterThan(0.2);
    expect(brand.length / allPosts.length).toBeLessThan(0.4);
    const categories = new Set(ds.products.map((p) => p.category));
    for (const p of brand) {
      expect(categories.has(p.topics[0]!)).toBe(true);
      expect(['delivery', 'price', 'quality', 'service', 'packaging', 'refund']).toContain(p.topics[1]);
    }
    expect(brand.some((p) => /悦选/.test(p.text))).toBe(true);
    expect(brand.some((p) => /Yuexuan/.test(p.text))).toBe(true);
  });

  it('dates brand mentions within two days after a completed order, so lifecycle stages hold', () => {
    const completed = new Map<string, number[]>();
    for (const o of ds.orders) {
      if (o.status === 'completed') completed.set(o.customer_id, [...(completed.get(o.customer_id) ?? []), o.placed_at.getTime()]);
    }
    for (const a of accounts) {
      const orders = completed.get(ownerOf.get(keyOf(a))!);
      if (!orders) continue;
      for (const p of a.posts.filter((x) => x.mentionsBrand)) {
        const t = Date.parse(p.postedAt);
        expect(orders.some((o) => t >= o && t <= o + 2 * DAY_MS)).toBe(true);
      }
    }
  });

  it('leans brand sentiment negative after badly rated tickets and positive for frequent buyers', () => {
    const unhappy = new Set(ds.support_tickets.filter((t) => t.satisfaction !== null && t.satisfaction <= 2).map((t) => t.customer_id));
    const orders = new Map<string, number>();
    for (const o of ds.orders) {
      if (o.status === 'completed' && NOW.getTime() - o.placed_at.getTime() <= 365 * DAY_MS)
        orders.set(o.customer_id, (orders.get(o.customer_id) ?? 0) + 1);
    }
    const sentimentOf = (pick: (customer: string) => boolean) =>
      mean(
        accounts.filter((a) => pick(ownerOf.get(keyOf(a))!)).flatMap((a) => a.posts.filter((p) => p.mentionsBrand).map((p) => p.sentiment)),
      );
    const frequent = sentimentOf((c) => (orders.get(c) ?? 0) >= 6 && !unhappy.has(c));
    const bad = sentimentOf((c) => unhappy.has(c));
    expect(bad).toBeLessThan(0);
    expect(frequent).toBeGreaterThan(0.3);
  });

  it('writes Chinese posts for Chinese names on Chinese platforms, English for others on X and Instagram', () => {
    const customers = new Map(ds.customers.map((c) => [c.id, c]));
    const cjk = /[\u4e00-\u9fff]/;
    for (const a of accounts) {
      const chinese = cjk.test(customers.get(ownerOf.get(keyOf(a))!)!.full_name);
      if (chinese && ['weibo', 'wechat', 'douyin', 'xiaohongshu'].includes(a.platform))
        for (const p of a.posts) expect(p.text).toMatch(cjk);
      if (!chinese && ['x', 'instagram'].includes(a.platform)) for (const p of a.posts) expect(p.text).not.toMatch(cjk);
    }
  });
});

describe('saveSocialAccounts / loadSocialAccounts', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'c360-social-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips through a JSON file, creating its directory', () => {
    const file = path.join(dir, 'nested', 'accounts.json');
    saveSocialAccounts(file, accounts.slice(0, 50));
    expect(loadSocialAccounts(file)).toEqual(accounts.slice(0, 50));
  });

  it('throws an error naming the file when it is missing, not JSON, or not accounts', () => {
    const missing = path.join(dir, 'missing.json');
    expect(() => loadSocialAccounts(missing)).toThrow(`social accounts file ${missing} does not exist`);
    const garbage = path.join(dir, 'garbage.json');
    writeFileSync(garbage, '[{"platform": ');
    expect(() => loadSocialAccounts(garbage)).toThrow(`social accounts file ${garbage} is not valid JSON`);
    const wrong = path.join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify([{ ...accounts[0], followers: 'many' }]));
    expect(() => loadSocialAccounts(wrong)).toThrow(`social accounts file ${wrong} is not a list of social accounts: 0.followers:`);
  });
});
