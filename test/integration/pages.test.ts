import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parsePhoneNumberWithError } from 'libphonenumber-js';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningSocialProvider } from '@c360/social-provider';
import { generateCrmDatasetWithPersonas, generateEvents, generateSocialAccounts } from '@c360/demo-data';
import { buildSnapshot } from '../../src/snapshot/build';
import { buildRecommendations } from '../../src/snapshot/recommendations';
import { chromiumFor } from '../helpers/browser';
import { createCrmDatabase, type TestStores } from '../helpers/database';
import { startTestServer, testDeps, withSocialProvider, type TestServer } from '../helpers/server';
import { bearer } from '../helpers/tokens';

/**
 * The console and dashboard pages (packages/web), built fresh by this suite into a folder of its own
 * (WEB_DIR) and served by the API at /app, driven in headless Chromium (helpers/browser.ts) on
 * generated demo data: an agent, an analyst and the dashboard, a source stopped under the page,
 * axe-core's audit, no request leaving the origin, and the screenshots of docs/pages.md.
 */
const { executablePath, describeWithBrowser } = chromiumFor('pages.test');

const ROOT = path.resolve(__dirname, '../..');
const IMAGES = path.join(ROOT, 'docs/images');
const NOW = new Date('2026-06-15T12:00:00Z');
const { dataset, personas, tastes } = generateCrmDatasetWithPersonas({ customers: 160, seed: 7, now: NOW });
const events = generateEvents({ dataset, personas, tastes, seed: 7, now: NOW });

let webDir: string;
let db: TestStores;
let provider: RunningSocialProvider;
let api: TestServer;
let origin: string;

beforeAll(async () => {
  webDir = mkdtempSync(path.join(tmpdir(), 'c360-web-'));
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', webDir, '--emptyOutDir', '--logLevel', 'error'],
    {
      cwd: path.join(ROOT, 'packages/web'),
    },
  );
  db = await createCrmDatabase('pages', dataset, events);
  const source = await withSocialProvider(db, generateSocialAccounts(dataset, { seed: 7, now: NOW }), { WEB_DIR: webDir });
  provider = source.provider;
  const deps = await testDeps(db, { config: source.config, social: source.social });
  await buildSnapshot(deps, { now: NOW });
  await buildRecommendations(deps, { asOf: NOW });
  api = await startTestServer(db, () => NOW, { config: source.config, social: source.social });
  origin = new URL(api.url).origin;
}, 120_000);
afterAll(async () => {
  await api?.close();
  await provider?.close();
  await db?.drop();
  if (webDir) rmSync(webDir, { recursive: true, force: true });
});

describe('the pages over HTTP', () => {
  it('serves the page for every path below /app under a policy allowing only this server, and its files by exact name', async () => {
    for (const at of ['/app', '/app/', '/app/dashboard']) {
      const res = await fetch(`${origin}${at}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      const html = await res.text();
      expect(html).toMatch(/<script type="module" crossorigin src="\/app\/assets\/index-[\w-]+\.js"><\/script>/);
      expect(html).not.toMatch(/https?:\/\//); // nothing from elsewhere
    }
    const script = /src="(\/app\/assets\/[^"]+)"/.exec(await (await fetch(`${origin}/app`)).text())![1]!;
    const js = await fetch(`${origin}${script}`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    for (const bad of ['/app/assets/../../../package.json', '/app/%2e%2e/package.json', '/app/assets/nope.js', '/app/icon.png'])
      expect((await fetch(`${origin}${bad}`)).status).toBe(404);
  });

  it('is off (404) while WEB_DIR holds no build', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'c360-web-none-'));
    const off = await startTestServer(db, () => NOW, { config: { ...db.config, WEB_DIR: empty } });
    try {
      expect((await fetch(`${new URL(off.url).origin}/app`)).status).toBe(404);
    } finally {
      await off.close();
      rmSync(empty, { recursive: true });
    }
  });
});

/** A CN customer with a phone, social accounts, events and at least one service hint: the agent's caller. */
async function caller(): Promise<{ id: string; national: string; hints: string[]; events: number; name: string; offers: string[] }> {
  const social = new Set(dataset.customer_identities.filter((i) => i.kind === 'social').map((i) => i.customer_id));
  const withEvents = new Set(events.map((e) => e.customerId));
  for (const c of dataset.customers) {
    if (c.country !== 'CN' || !c.phone || !social.has(c.id) || !withEvents.has(c.id)) continue;
    const r = await api.gql(
      `query($id: ID!) { customer(id: $id) { serviceHints { message } timeline(first: 12) { edges { node { id } } }
        recommendations(first: 5, placement: AGENT) { product { name } } } }`,
      {
        id: c.id,
      },
    );
    const hints = (r.body.data.customer.serviceHints ?? []).map((h: { message: string }) => h.message);
    const offers = (r.body.data.customer.recommendations ?? []).map((o: { product: { name: string } }) => o.product.name);
    if (hints.length === 0 || offers.length === 0) continue;
    const national = parsePhoneNumberWithError(c.phone, 'CN').formatNational();
    return { id: c.id, national, hints, events: r.body.data.customer.timeline.edges.length, name: c.full_name, offers };
  }
  throw new Error('no customer in the demo data fits');
}

describeWithBrowser('the pages in headless Chromium', () => {
  let browser: Browser;
  const elsewhere: string[] = [];
  const problems: string[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox'] });
    mkdirSync(IMAGES, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(() => {
    // As on a machine without internet: nothing left this server; no script error, no policy violation.
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });

  /** A page of its own (viewport `width`×`height`), watched: requests elsewhere are refused and recorded, errors recorded. */
  async function open(width = 1280, height = 800): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) elsewhere.push(url);
    });
    await page.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    return page;
  }

  const token = async (role: 'agent' | 'analyst') => (await bearer([role], { sub: `${role}@example.com` })).authorization.slice(7);

  /** axe-core's serious and critical violations on the page as it is. */
  async function audit(page: Page): Promise<string[]> {
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const violations = await page.evaluate(async () => {
      const axe = (
        globalThis as unknown as {
          axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
        }
      ).axe;
      return (await axe.run()).violations;
    });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`);
  }

  async function lookUp(page: Page, what: string) {
    await page.getByLabel('Find a customer').fill(what);
    await page.keyboard.press('Enter'); // keyboard only
    await page.locator('#customer-name').waitFor({ timeout: 20_000 });
  }

  it('lets an agent find a caller by a national-format phone and shows the hints and the timeline', async () => {
    const c = await caller();
    const page = await open();
    await page.goto(`${origin}/app#token=${await token('agent')}`);
    await page.getByLabel('Find a customer').waitFor();
    expect(new URL(page.url()).hash).toBe(''); // the token left the address bar
    await lookUp(page, c.national);
    expect(await page.locator('#lookup-hint').innerText()).toBe('Looking up by phone number');
    expect(await page.locator('#customer-name').innerText()).toBe(c.name);
    expect(await page.locator('.hints li strong').allInnerTexts()).toEqual(c.hints);
    expect(await page.locator('.timeline li').count()).toBe(c.events);
    expect(await page.locator('[aria-labelledby="offers-title"] li strong').allInnerTexts()).toEqual(c.offers);
    expect(await page.locator('.masked').count()).toBe(0);
    expect(await page.locator('.banner').count()).toBe(0);
    expect(await audit(page)).toEqual([]);
    await page.screenshot({ path: path.join(IMAGES, 'console-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390); // no sideways scrolling
    await page.screenshot({ path: path.join(IMAGES, 'console-phone.png') });
    await page.close();
  }, 60_000);

  it('shows an analyst the same customer masked, opened by id', async () => {
    const c = await caller();
    const analyst = await token('analyst');
    const direct = await api.gql(
      `query($id: ID!) { customer(id: $id) { profile { fullName } contact { email phone } } }`,
      { id: c.id },
      {
        authorization: `Bearer ${analyst}`,
      },
    );
    const masked = direct.body.data.customer;
    expect(masked.profile.fullName).not.toBe(c.name);
    const page = await open();
    await page.goto(`${origin}/app?q=${c.id}#token=${analyst}`);
    await page.locator('#customer-name').waitFor({ timeout: 20_000 });
    expect(await page.locator('#customer-name .masked').textContent()).toBe(`masked: ${masked.profile.fullName}`);
    const dd = (term: string) => page.locator(`dt:text-is("${term}") + dd .masked`);
    expect(await dd('E-mail').textContent()).toBe(`masked: ${masked.contact.email}`);
    expect(await dd('Phone').textContent()).toBe(`masked: ${masked.contact.phone}`);
    expect(await page.content()).not.toContain(c.name);
    expect(await page.getByText('Personal data masked for your role').count()).toBe(1);
    await page.close();
  }, 60_000);

  it('shows the dashboard with the numbers customerStats gives for the same filter, and the segments', async () => {
    const analyst = await token('analyst');
    const as = { authorization: `Bearer ${analyst}` };
    const STATS = `query($f: SegmentFilter) { customerStats(filter: $f) { total byStage { stage count } byTier { tier count }
      byTag(first: 10) { key count } byCity(first: 10) { key count } rfmGrid { recency frequency count } } }`;
    const stats = async (f: unknown) => {
      const r = await api.gql(STATS, { f }, as);
      expect(r.body.errors).toBeUndefined();
      return r.body.data.customerStats;
    };
    const segment = (
      await api.gql(`mutation { createSegment(input: { name: "Dormant buyers", filter: { stages: [DORMANT] } }) { id count } }`, {}, as)
    ).body.data.createSegment;

    const page = await open();
    await page.goto(`${origin}/app/dashboard#token=${analyst}`);
    await page.locator('[data-stat=total]').waitFor({ timeout: 20_000 });
    /** The numbers on the page, as customerStats names them. */
    const shown = async () => {
      await page.locator('[aria-busy=false]').first().waitFor();
      const table = async (stat: string) =>
        page
          .locator(`[data-stat=${stat}] tbody tr`)
          .evaluateAll((rows) =>
            rows.map((r) => [r.getAttribute('data-key'), Number(r.querySelector('td')!.textContent!.replace(/,/g, ''))]),
          );
      const grid = await page
        .locator('[data-stat=rfmGrid] td[data-key]')
        .evaluateAll((cells) =>
          cells.flatMap((c) =>
            c.querySelector('.heat-count')
              ? [[c.getAttribute('data-key'), Number(c.querySelector('.heat-count')!.textContent!.replace(/,/g, ''))]]
              : [],
          ),
        );
      return {
        total: Number((await page.locator('[data-stat=total]').innerText()).replace(/,/g, '')),
        byStage: Object.fromEntries(await table('byStage')),
        byTier: Object.fromEntries(await table('byTier')),
        byTag: Object.fromEntries(await table('byTag')),
        byCity: Object.fromEntries(await table('byCity')),
        rfmGrid: Object.fromEntries(grid),
      };
    };
    const expected = (s: any) => ({
      total: s.total,
      byStage: Object.fromEntries(s.byStage.map((x: any) => [x.stage, x.count])),
      byTier: Object.fromEntries(s.byTier.map((x: any) => [x.tier, x.count])),
      byTag: Object.fromEntries(s.byTag.map((x: any) => [x.key ?? '(none)', x.count])),
      byCity: Object.fromEntries(s.byCity.map((x: any) => [x.key ?? '(none)', x.count])),
      rfmGrid: Object.fromEntries(s.rfmGrid.map((x: any) => [`${x.recency}${x.frequency}`, x.count])),
    });
    const everyone = await stats(null);
    expect(everyone.total).toBe(dataset.customers.length);
    expect(await shown()).toEqual(expected(everyone));

    // Each filter narrows every chart, as customerStats does for the same filter.
    const city = everyone.byCity.find((c: { key: string | null }) => c.key).key;
    const stage = everyone.byStage.find((s: { count: number }) => s.count > 1).stage;
    const change = async (label: string, value: string, filter: object) => {
      const answered = page.waitForResponse(
        (r) => (r.request().postData() ?? '').includes('DashboardStats') && r.request().postData()!.includes(value),
      );
      await page.getByRole('combobox', { name: label }).selectOption(value);
      await answered;
      expect(await shown()).toEqual(expected(await stats(filter)));
    };
    await change('City', city, { cities: [city] });
    await change('Stage', stage, { cities: [city], stages: [stage] });
    await page.getByRole('button', { name: 'Clear' }).click();

    const row = page.locator('.segment', { hasText: 'Dormant buyers' });
    expect(await row.locator('.count').innerText()).toBe(String(segment.count));
    await row.getByRole('button', { name: 'Members' }).press('Enter');
    await row.locator('.members a').first().waitFor();
    expect(await row.locator('.members a').count()).toBe(Math.min(20, segment.count));
    const downloaded = page.waitForEvent('download');
    await row.getByRole('link', { name: 'Export CSV' }).click();
    expect((await downloaded).suggestedFilename()).toBe('Dormant buyers.csv');

    expect(await audit(page)).toEqual([]);
    await page.screenshot({ path: path.join(IMAGES, 'dashboard-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: path.join(IMAGES, 'dashboard-phone.png') });
    await page.close();
  }, 90_000);

  // Last: the social provider stays stopped.
  it('names a source stopped under the page in a banner while the rest renders', async () => {
    const c = await caller();
    const page = await open();
    await page.goto(`${origin}/app#token=${await token('agent')}`);
    await provider.close();
    await lookUp(page, c.national);
    const banner = page.locator('.banner[data-source=social]');
    expect(await banner.innerText()).toMatch(/^Social data is unavailable right now \(source social\)/);
    expect(await page.locator('.banner').count()).toBe(1);
    expect(await page.locator('#customer-name').innerText()).toBe(c.name);
    expect(await page.locator('.timeline li').count()).toBe(c.events);
    expect(await page.locator('#social-title + p').innerText()).toBe('Not available: the social source did not answer.');
    await page.close();
  }, 60_000);
});
