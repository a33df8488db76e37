// End-to-end: the light first load (issue 16). Before the full page is there, the static paste box of
// index.html answers a paste with the sha256 of its UTF-8 bytes (node's crypto over the same text),
// from the small `first_paste` module alone; then the full page takes the text over and shows the same
// digest on its card. The full page's module is held back by the test until the first answer is seen.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, startAppServer, WAIT_MS } from './lib/harness.mjs';
import { sha256, utf8 } from './lib/expected.mjs';

describe('the first load', () => {
  let browser;
  let server;
  before(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startAppServer()]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a paste is digested by the first module before the full page loads, then the full page takes it over', async () => {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    let release;
    const held = new Promise((resolve) => {
      release = resolve;
    });
    await page.route('**/*', async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path.endsWith('/digestlens_bg.wasm')) await held;
      await route.continue();
    });
    await page.goto(server.origin + '/');
    const text = '{"schemaVersion": 2, "note": "é 🐳"}';
    await page.fill('#first [data-testid="paste"]', text);
    const first = page.locator('#first-answer [data-testid="digest"]');
    await first.waitFor({ state: 'visible', timeout: WAIT_MS });
    assert.equal(await first.textContent(), sha256(utf8(text)));
    release();
    await page.locator('#first').waitFor({ state: 'detached', timeout: WAIT_MS });
    const card = page.locator('[data-testid="document"] [data-testid="digest"]').first();
    await card.waitFor({ state: 'attached', timeout: WAIT_MS });
    assert.equal((await card.textContent()).trim(), sha256(utf8(text)));
    assert.deepEqual(errors, []);
    await page.close();
  });
});
