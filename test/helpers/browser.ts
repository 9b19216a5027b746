import { execFileSync } from 'node:child_process';

/**
 * Headless Chromium for the browser suites (the Debian package; CHROMIUM_PATH to point elsewhere).
 * Without a browser on the machine a suite is skipped with a message naming it, unless
 * REQUIRE_BROWSER=1 (CI sets it, after installing one), when it fails.
 */
function findChromium(): string | null {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // not this one
    }
  }
  return null;
}

/** The browser's path and the `describe` to run a suite's browser tests with (describe.skip without one). */
export function chromiumFor(suite: string): { executablePath: string | null; describeWithBrowser: jest.Describe } {
  const executablePath = findChromium();
  if (!executablePath && process.env.REQUIRE_BROWSER === '1')
    throw new Error('REQUIRE_BROWSER=1 but no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');
  if (!executablePath) console.warn(`${suite}: no Chromium on this machine (apt-get install chromium); the browser test is skipped`);
  return { executablePath, describeWithBrowser: executablePath ? describe : describe.skip };
}
