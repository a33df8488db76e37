// End-to-end: nothing a user types, pastes or drops while index.html's first paste box hands over to the full
// page is lost (static/boot.js). The hand-over starts on the first input; keys typed, text pasted and
// files dropped while the full page's module starts and mounts must all arrive, and the digest shown must be
// the sha256 (node's crypto) of exactly those bytes. The page's CPU is slowed down so that the
// hand-over takes long enough for input to arrive during it, as on a slow machine.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AppPage, launchBrowser, startAppServer, WAIT_MS } from './lib/harness.mjs';
import { sha256, utf8 } from './lib/expected.mjs';

/** How much slower than the test machine the page's CPU runs (Chromium's throttling). */
const CPU_SLOWDOWN = 4;
/** A user typing: one key every 15 ms. */
const KEY_DELAY_MS = 15;
const TYPED = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","note":"é"}';

/** Opens the page with a slowed CPU and returns it at its load event, before the hand-over. */
function openSlowly(browser, server) {
  return AppPage.open(browser.context, server.origin, {
    takenOver: false,
    prepare: async (page) => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    },
  });
}

/**
 * Waits for the full page to take over and for its card to show the digest of what its box holds, then
 * returns the box's value, where focus and the caret are, and that digest.
 */
async function afterHandOver(app) {
  await app.until(() => app.page.locator('#first').waitFor({ state: 'detached' }), 'the full page to take over');
  const read = () =>
    app.page.evaluate(() => {
      const boxes = [...document.querySelectorAll('[data-testid="paste"]')];
      const box = boxes[0];
      return {
        boxes: boxes.length,
        value: box?.value ?? null,
        focused: document.activeElement === box,
        caret: box ? [box.selectionStart, box.selectionEnd] : null,
        digest: document.querySelector('[data-testid="document"] [data-testid="digest"]')?.textContent.trim() ?? null,
      };
    });
  const deadline = Date.now() + WAIT_MS;
  let seen = await read();
  while (Date.now() < deadline && !(seen.value && seen.digest === sha256(utf8(seen.value)))) {
    app.throwIfProblems();
    await new Promise((r) => setTimeout(r, 40));
    seen = await read();
  }
  return seen;
}

/** Asserts that the one paste box holds exactly `text`, focused with the caret at its end, and its digest is shown. */
function assertKept(seen, text, what) {
  assert.equal(seen.boxes, 1, `${what}: one paste box after the hand-over`);
  assert.equal(seen.value, text, `${what}: the box holds exactly what was entered`);
  assert.equal(seen.digest, sha256(utf8(text)), `${what}: the digest shown is that of what was entered`);
  assert.ok(seen.focused, `${what}: the box still has the focus`);
  assert.deepEqual(seen.caret, [text.length, text.length], `${what}: the caret is still at the end`);
}

describe('the hand-over from the first paste box to the full page', () => {
  let browser;
  let server;
  before(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startAppServer()]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const startMs of [0, 100, 200, 350, 600]) {
    test(`keys typed from ${startMs} ms after load on all land in the box, and their digest is shown`, async () => {
      const app = await openSlowly(browser, server);
      try {
        await new Promise((r) => setTimeout(r, startMs));
        await app.page.focus('[data-testid="paste"]');
        await app.page.keyboard.type(TYPED, { delay: KEY_DELAY_MS });
        assertKept(await afterHandOver(app), TYPED, `typing from ${startMs} ms`);
      } finally {
        await app.close();
      }
    });
  }

  test('two pastes 250 ms apart during the hand-over both land in the box, in order', async () => {
    const first = `{"schemaVersion":2,"annotations":{"a":"${'x'.repeat(150)}",`;
    const second = `"b":"é 🐳 ${'y'.repeat(200)}"}}`;
    const app = await openSlowly(browser, server);
    try {
      await app.page.focus('[data-testid="paste"]');
      // As a paste arrives: the whole text at once, into whatever has the focus then.
      await app.page.keyboard.insertText(first);
      await new Promise((r) => setTimeout(r, 250));
      await app.page.keyboard.insertText(second);
      assertKept(await afterHandOver(app), first + second, 'two pastes');
    } finally {
      await app.close();
    }
  });

  test('a file dropped during the hand-over is digested beside the pasted text', async () => {
    const text = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}';
    const file = { name: 'config.json', mimeType: 'application/json', buffer: Buffer.from('{"architecture":"arm64","os":"linux"}\r\n') };
    const app = await openSlowly(browser, server);
    try {
      await app.page.focus('[data-testid="paste"]');
      await app.page.keyboard.insertText(text);
      // Onto the page, as a user drops a file anywhere on it (the full page's drop zone is not shown yet).
      const during = await app.page.evaluate(
        ({ name, type, bytes }) => {
          const dataTransfer = new DataTransfer();
          dataTransfer.items.add(new File([new Uint8Array(bytes)], name, { type }));
          for (const event of ['dragenter', 'dragover', 'drop']) {
            document.body.dispatchEvent(new DragEvent(event, { bubbles: true, cancelable: true, dataTransfer }));
          }
          return document.getElementById('first') !== null;
        },
        { name: file.name, type: file.mimeType, bytes: [...file.buffer] },
      );
      assert.ok(during, 'the drop came during the hand-over');
      await app.until(() => app.page.locator('#first').waitFor({ state: 'detached' }), 'the full page to take over');
      const docs = await app.waitForDigests(2);
      assert.deepEqual(docs.map((d) => d.digest).sort(), [sha256(utf8(text)), sha256(file.buffer)].sort());
      assert.equal(await app.page.locator('[data-testid="paste"]').inputValue(), text);
    } finally {
      await app.close();
    }
  });
});
