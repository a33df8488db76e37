// End-to-end: "Try an example" loads real documents in one click, and the page shows the digests a
// source outside our code reported for them (static/examples/examples.json: the registry's
// Docker-Content-Digest, or sha256sum). Also: the explainer is there and its terms jump to the analysis.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT, useApp } from './lib/harness.mjs';

const EXAMPLES = JSON.parse(readFileSync(join(REPO_ROOT, 'static/examples/examples.json'), 'utf8'));

/**
 * The examples framed as a pair, with the two files their own titles put side by side (A, B):
 * OCI vs Docker, compact vs indented, first GET vs second GET, Docker Hub's vs the pushed one.
 */
const PAIRS = {
  'oci-vs-docker': ['oci-vs-docker/oci.manifest.json', 'oci-vs-docker/docker.manifest.json'],
  reindented: ['reindented/compact.manifest.json', 'reindented/indent3.manifest.json'],
  schema1: ['schema1/get1.manifest.json', 'schema1/get2.manifest.json'],
  'founding-question': ['founding-question/hub.linux-amd64.manifest.json', 'founding-question/pushed.manifest.json'],
};

/**
 * How the compare list names an example file: its name and the first 12 hex digits of the digest
 * examples.json records for it (a signed schema 1 manifest is named by its payload's digest).
 */
function listed(file) {
  const recorded = EXAMPLES.sets.flatMap((s) => s.files).find((f) => f.file === file).digest;
  return [file.split('/').pop(), recorded.replace('sha256:', '').slice(0, 12)];
}

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

  for (const [id, [a, b]] of Object.entries(PAIRS)) {
    test(`the "${id}" example opens with its two documents compared, A ${a} and B ${b}`, async (t) => {
      const page = app();
      await page.page.click(`[data-testid="example"][data-example="${id}"]`);
      const verdict = await page.waitForVerdict('[data-testid="compare"]', ({ slug }) => slug !== null, 'a verdict on the pair');
      t.diagnostic(`${verdict.slug}: ${verdict.text.slice(0, 120)}`);
      assert.equal(await page.page.locator('[data-testid="compare-hint"]').count(), 0, 'no "Give both A and B…" prompt');
      const picked = async (side) =>
        page.page.locator(`[data-testid="pick-${side}"]`).evaluate((s) => s.selectedOptions[0]?.textContent ?? '');
      for (const [side, file] of [['a', a], ['b', b]]) {
        const shown = await picked(side);
        assert.ok(listed(file).every((part) => shown.includes(part)), `${side.toUpperCase()} holds ${file}: ${shown}`);
      }
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
