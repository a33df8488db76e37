// End-to-end: "Try an example" loads real documents in one click, and the page shows the digests a
// source outside our code reported for them (static/examples/examples.json: the registry's
// Docker-Content-Digest, or sha256sum). Also: the explainer is there and its terms jump to the analysis.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT, useApp } from './lib/harness.mjs';

const EXAMPLES = JSON.parse(readFileSync(join(REPO_ROOT, 'static/examples/examples.json'), 'utf8'));

describe('examples', () => {
  const app = useApp();

  for (const set of EXAMPLES.sets) {
    test(`the "${set.id}" example shows the recorded digest of each of its ${set.files.length} files`, async () => {
      const page = app();
      await page.page.click(`[data-testid="example"][data-example="${set.id}"]`);
      const expected = set.files.map((f) => f.digest).sort();
      const docs = await page.waitForDocuments(
        (d) => d.length === expected.length && JSON.stringify(d.map((x) => x.digest).sort()) === JSON.stringify(expected),
        `the ${set.id} example's digests ${JSON.stringify(expected)}`,
      );
      assert.equal(docs.length, set.files.length);
    });
  }

  test('an example replaces what was loaded before, the paste box included', async () => {
    const page = app();
    await page.paste('{"hello": "world"}');
    await page.waitForDigests(1);
    const [first, second] = EXAMPLES.sets;
    await page.page.click(`[data-testid="example"][data-example="${first.id}"]`);
    await page.waitForDigests(first.files.length);
    await page.page.click(`[data-testid="example"][data-example="${second.id}"]`);
    await page.waitForDigests(second.files.length);
    assert.equal(await page.page.inputValue('[data-testid="paste"]'), '');
  });

  test('the explainer opens and its terms jump to the part of the analysis that shows them', async () => {
    const page = app();
    await page.page.click('[data-testid="example"][data-example="multi-platform"]');
    await page.waitForDigests(7);
    await page.page.click('[data-testid="explainer"] summary');
    const term = page.page.locator('[data-testid="explainer"] button', { hasText: 'diff_ids' });
    await term.click();
    const inView = await page.page.locator('[data-testid="diff-id"]').first().evaluate((e) => {
      const r = e.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    });
    assert.ok(inView, 'the first diff_id is scrolled into view');
  });
});
