import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { fixtureDataset, NOW } from '../fixtures/crm';
import { chromiumFor } from '../helpers/browser';
import { startTestServer } from '../helpers/server';
import { bearer } from '../helpers/tokens';
import { apiSuite } from '../helpers/suite';

/** The offline explorer, over HTTP and loaded in headless Chromium (helpers/browser.ts: skipped without one, unless REQUIRE_BROWSER=1). */
const { executablePath, describeWithBrowser } = chromiumFor('explorer.test');

const ROOT = path.resolve(__dirname, '../..');
const LOOKUP = readFileSync(path.join(ROOT, 'examples/operations/Lookup.graphql'), 'utf8');

/** The fixture with the demo customer the Lookup example names (c_000002 of the demo: phone +65 9018 5721). */
function dataset() {
  const data = fixtureDataset();
  data.customers.push({
    ...data.customers[0]!,
    id: DENG,
    full_name: '邓勇',
    country: 'SG',
    email: 'DENG.YONG@FOXMAIL.COM',
    phone: '+6590185721',
  });
  return data;
}
const DENG = 'c_deng';

const suite = apiSuite('explorer', dataset(), { clock: () => NOW, env: { EXPLORER: 'true' } });
let origin: string;
beforeAll(() => {
  origin = new URL(suite.api.url).origin;
});

describe('the explorer over HTTP', () => {
  it('serves the page without credentials, with a policy allowing only this server', async () => {
    const res = await fetch(`${origin}/explorer`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\/(?!localhost)/); // nothing from a CDN
    expect(html).toContain('query Lookup'); // the README's examples, preloaded
  });

  it('serves the bundle from the ruru package and nothing outside its folder', async () => {
    const js = await fetch(`${origin}/explorer/static/ruru.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    for (const bad of ['/explorer/static/../../package.json', '/explorer/static/%2e%2e%2fpackage.json', '/explorer/static/nope.js']) {
      expect((await fetch(`${origin}${bad}`)).status).toBe(404);
    }
  });

  it('is off unless EXPLORER is on, and / then leads to the API', async () => {
    const off = await startTestServer(suite.db, () => NOW, { config: { ...suite.db.config, EXPLORER: false } });
    try {
      const offOrigin = new URL(off.url).origin;
      expect((await fetch(`${offOrigin}/explorer`)).status).toBe(404);
      expect((await fetch(`${offOrigin}/`, { redirect: 'manual' })).headers.get('location')).toBe('/graphql');
    } finally {
      await off.close();
    }
    expect((await fetch(`${origin}/`, { redirect: 'manual' })).headers.get('location')).toBe('/explorer');
  });
});

describeWithBrowser('the explorer in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('loads offline with the examples, takes the token from the fragment and runs Lookup through the page', async () => {
    const token = (await bearer(['admin'], { sub: 'explorer-user' })).authorization.slice('Bearer '.length);
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    // As on a machine without internet: anything not from this server fails, and is recorded.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });

    const schema = page.waitForResponse((r) => (r.request().postData() ?? '').includes('IntrospectionQuery'));
    await page.goto(`${origin}/explorer#token=${token}`);
    expect((await (await schema).json()).data.__schema.queryType.name).toBe('Query'); // completion and docs work
    await page.locator('.graphiql-query-editor .view-lines').filter({ hasText: 'query Example' }).waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).hash).toBe(''); // the token left the address bar

    // With three operations in the editor the run button asks which one.
    const answer = page.waitForResponse(
      (r) =>
        r.url() === `${origin}/graphql` &&
        r.request().method() === 'POST' &&
        (r.request().postData() ?? '').includes('"operationName":"Lookup"'),
    );
    await page.locator('.graphiql-execute-button').click();
    await page.getByRole('menuitem', { name: 'Lookup' }).click();
    const response = await answer;
    expect(response.request().headers()['authorization']).toBe(`Bearer ${token}`);
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    expect(body.data.byPhone).toEqual({ id: DENG, profile: { fullName: '邓勇' } });
    expect(body.data.byEmail).toEqual({ id: DENG });
    // The same operation sent directly gives the same answer, and the page shows it.
    expect(body.data).toEqual((await suite.api.gql(LOOKUP)).body.data);
    await page.locator('.graphiql-response .view-lines').filter({ hasText: DENG }).first().waitFor({ timeout: 10_000 });

    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]); // not even a missing icon
    // An internal tool: no link off-site on the page (the distribution's logo), no funding footer.
    const links = await page.locator('a:visible').evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
    expect(links.filter((href) => !href.startsWith(origin))).toEqual([]);
    expect(
      await page
        .getByText(/sponsor/i)
        .filter({ visible: true })
        .count(),
    ).toBe(0);
    // The first lines of the editor end before the ▶ button.
    const firstLines = (await page.locator('.graphiql-query-editor .view-line').allInnerTexts())
      .slice(0, 2)
      .map((l) => l.replace(/\u00a0/g, ' '));
    expect(firstLines[0]).toMatch(/^# Customer 360/);
    for (const line of firstLines) expect(line.length).toBeLessThanOrEqual(60);
    await page.close();
  }, 90_000);
});
