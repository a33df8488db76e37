// End-to-end: dist/ is a static site. It works from a sub-path of a host (as on any static host or
// CDN), and once loaded it keeps working offline: nothing is fetched except what the user asks for.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DIST_DIR, useApp } from './lib/harness.mjs';
import { sha256, utf8 } from './lib/expected.mjs';

const SUB_PATH = 'tools/digest-lens/';
const host = mkdtempSync(join(tmpdir(), 'digestlens-subpath-'));
cpSync(DIST_DIR, join(host, SUB_PATH), { recursive: true });
writeFileSync(join(host, 'index.html'), '<!doctype html><title>another site</title>');
after(() => rmSync(host, { recursive: true, force: true }));

describe(`served from the sub-path /${SUB_PATH}`, () => {
  const app = useApp({ root: host, path: `/${SUB_PATH}` });

  test('the page loads from the sub-path and digests pasted text', async () => {
    const text = '{"schemaVersion": 2}';
    await app().paste(text);
    const [doc] = await app().waitForDigests(1);
    assert.equal(doc.digest, sha256(utf8(text)));
  });
});

describe('offline once loaded', () => {
  const app = useApp();

  test('with the network gone, pasting, the examples and comparing still work', async () => {
    // The page loads its comparison worker soon after it starts, without being asked.
    await app().waitForFetched('/analysis_worker_bg.wasm');
    await app().page.context().setOffline(true);
    try {
      await app().page.click('[data-testid="example"][data-example="oci-vs-docker"]');
      await app().waitForDigests(3);
      const text = '{"offline": true}';
      await app().paste(text);
      const docs = await app().waitForDigests(4);
      assert.ok(docs.some((d) => d.digest === sha256(utf8(text))));
      await app().pasteInto('paste-a', text);
      await app().pasteInto('paste-b', `${text}\n`);
      const verdict = await app().waitForVerdict('[data-testid="comparison"]', () => true);
      assert.match(verdict.text, /newline|whitespace/i);
    } finally {
      await app().page.context().setOffline(false);
    }
  });
});
