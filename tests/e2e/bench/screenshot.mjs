// Takes the README's screenshot of the real page in headless Chromium: the multi-platform example
// loaded, the relationship map in view. Run after a build: `node bench/screenshot.mjs` in tests/e2e.
import { join } from 'node:path';
import { AppPage, REPO_ROOT, launchBrowser, startAppServer } from '../lib/harness.mjs';

const out = join(REPO_ROOT, 'docs/screenshot.png');
const server = await startAppServer();
const browser = await launchBrowser();
try {
  const app = await AppPage.open(browser.context, server.origin);
  await app.page.setViewportSize({ width: 1280, height: 1100 });
  await app.page.click('[data-testid="example"][data-example="multi-platform"]');
  await app.waitForDigests(7);
  await app.page.locator('[data-testid="map"]').scrollIntoViewIfNeeded();
  await app.page.evaluate(() => window.scrollBy(0, -120));
  await app.page.screenshot({ path: out });
  console.log(`wrote ${out}`);
  await app.close();
} finally {
  await browser.close();
  await server.close();
}
