// End-to-end: every kind the page is handed is named (issue 17). The artifacts oras-py pushed to
// distribution 2.8.2 (tests/fixtures/kinds/fixtures.json), the cosign signature and @sigstore/oci
// artifacts of tests/fixtures/referrers, and the withdrawn OCI artifact manifest as image-spec
// committed it (tests/fixtures/kinds/committed.json) are opened as files; each card shows the digest the
// registry (or sha256sum) reported and the kind and artifact family the file was made as.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FIXTURES_DIR } from './lib/fixtures.mjs';
import { useApp } from './lib/harness.mjs';

const index = (path) => JSON.parse(readFileSync(join(FIXTURES_DIR, path), 'utf8')).files;
const expectedDigest = (r) => r.docker_content_digest ?? `sha256:${r.sha256sum}`;
const asFile = (dir, r) => ({ name: r.file, mimeType: 'application/json', buffer: readFileSync(join(FIXTURES_DIR, dir, r.file)) });
const REFERRERS = { 'cosign-sig.json': 'cosign-signature', 'artifact-spdx.json': 'spdx-sbom', 'artifact-in-toto.json': 'in-toto-attestation' };

/** Each card's digest, data-kind, data-artifact and kind text, by digest. */
async function kinds(page) {
  const rows = await page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="document"]')].map((doc) => {
      const kind = doc.querySelector('[data-testid="kind"]');
      return {
        digest: doc.querySelector('[data-testid="digest"]').textContent.trim(),
        kind: kind.getAttribute('data-kind'),
        artifact: kind.getAttribute('data-artifact'),
        text: kind.textContent.trim(),
        findings: doc.querySelector('[data-testid="findings"]')?.textContent ?? '',
      };
    }),
  );
  return new Map(rows.map((r) => [r.digest, r]));
}

describe('every kind named', () => {
  const app = useApp();

  test('artifacts pushed by oras-py are named by the type their tool writes', async () => {
    const records = index('kinds/fixtures.json');
    await app().chooseFiles(records.map((r) => asFile('kinds', r)));
    await app().waitForDigests(records.length);
    const shown = await kinds(app().page);
    for (const r of records) {
      const card = shown.get(expectedDigest(r));
      assert.ok(card, `${r.file}: no card with ${expectedDigest(r)}`);
      assert.equal(card.kind, r.kind, r.file);
      assert.equal(card.artifact, r.artifact, r.file);
      // The Helm config blob alone is JSON of no spec's kind; its manifest names it.
      if (r.kind !== 'unknown-json') assert.doesNotMatch(card.text, /unknown kind/i, r.file);
    }
    const helm = shown.get(expectedDigest(records.find((r) => r.artifact === 'helm-chart')));
    assert.match(helm.text, /Helm chart/);
    const minimal = shown.get(expectedDigest(records.find((r) => r.kind === 'minimal-config')));
    assert.match(minimal.text, /Minimal config/);
  });

  test('the cosign signature, SPDX SBOM and in-toto attestation are named', async () => {
    const records = index('referrers/fixtures.json').filter((r) => REFERRERS[r.file]);
    await app().chooseFiles(records.map((r) => asFile('referrers', r)));
    await app().waitForDigests(records.length);
    const shown = await kinds(app().page);
    for (const r of records) {
      assert.equal(shown.get(r.docker_content_digest)?.artifact, REFERRERS[r.file], r.file);
    }
  });

  test('the withdrawn OCI artifact manifest is named, says why it was withdrawn, and its blob and subject are drawn', async () => {
    const [record] = index('kinds/committed.json');
    await app().chooseFiles([asFile('kinds', record)]);
    await app().waitForDigests(1);
    const card = (await kinds(app().page)).get(expectedDigest(record));
    assert.ok(card, `a card with ${expectedDigest(record)}`);
    assert.equal(card.kind, 'oci-artifact-manifest');
    assert.match(card.text, /OCI artifact manifest/);
    assert.match(card.findings, /withdrawn/);
    assert.match(card.findings, /artifactType/);
    const page = app().page;
    assert.equal(await page.locator('[data-testid="document"] [data-testid="artifact-type"]').textContent(), 'application/vnd.example.sbom.v1');
    assert.ok((await page.locator('[data-testid="map"] .edge.blob').count()) >= 1, 'the blob is drawn');
    assert.ok((await page.locator('[data-testid="map"] .edge.subject').count()) >= 1, 'the subject is drawn');
  });
});
