// End-to-end: the "Compare two images" form driven as a user drives it, on the images scripts/make-images
// pushed to a real registry (Debian's docker-registry, distribution 2.8.2; E2E_REGISTRY in CORS mode, or
// one started here): demo/oci:1 (umoci's OCI manifest), demo/docker:1 (skopeo --format v2s2: Docker media
// types, the same layer blobs) and demo/zstd:1 (skopeo --dest-compress-format zstd: other layer blobs).
// Expected values come from the registry (node's fetch: the manifests' own layer and config digests).
//
// - the one-sentence answer: no "layers recompressed" when both manifests list the same blobs, and a
//   manifest listing other blobs is not called "re-serialized";
// - B named by a reference or by a pasted manifest: whichever the user entered last is used, and the
//   page says which;
// - the form's layout at 1280 and 400 px: a label above each field, fields as wide as the form.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { AppPage, launchBrowser, useApp, WAIT_MS } from './lib/harness.mjs';
import { MANIFEST_ACCEPT, startRegistry } from './lib/registries.mjs';

const registry = process.env.E2E_REGISTRY
  ? { host: process.env.E2E_REGISTRY, origin: `http://${process.env.E2E_REGISTRY}`, stop: async () => {} }
  : await startRegistry({ port: Number(process.env.E2E_COMPARE_IMAGES_REGISTRY_PORT ?? 5672), mode: 'cors' });
after(() => registry.stop());

const SCOPE = '[data-testid="compare-images"]';

/** The manifest `repository:tag` as the registry serves it: its bytes and its JSON. */
async function manifest(repository, tag) {
  const res = await fetch(`${registry.origin}/v2/${repository}/manifests/${tag}`, { headers: { accept: MANIFEST_ACCEPT } });
  assert.equal(res.status, 200, `GET ${repository}:${tag}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { text: bytes.toString('utf8'), json: JSON.parse(bytes) };
}

/** Presses Compare and waits for a verdict other than `previous` (its text), then reads the answer. */
async function compare(app, previous = null) {
  await app.click('compare-images-button');
  const verdict = await app.waitForVerdict(SCOPE, ({ text }) => text !== previous, 'the two images compared', 2 * WAIT_MS);
  const findings = await app.page.evaluate(
    (sel) => [...document.querySelectorAll(`${sel} [data-testid="verdict"] [data-finding]`)].map((f) => f.dataset.finding),
    SCOPE,
  );
  const summary = await app.page.textContent(`${SCOPE} [data-testid="pair-summary"]`);
  const used = await app.page.textContent(`${SCOPE} [data-testid="compared-inputs"]`);
  return { ...verdict, findings, summary, used };
}

/** The digest the registry names for `repository:tag` (its Docker-Content-Digest header). */
async function contentDigest(repository, tag) {
  const res = await fetch(`${registry.origin}/v2/${repository}/manifests/${tag}`, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
  assert.equal(res.status, 200, `HEAD ${repository}:${tag}`);
  return res.headers.get('docker-content-digest');
}

async function references(app, a, b) {
  await app.page.fill('[data-testid="reference-a"]', `${registry.host}/${a}`);
  await app.page.fill('[data-testid="reference-b"]', `${registry.host}/${b}`);
}

describe('compare two images', () => {
  const app = useApp({ allowedOrigins: [registry.origin] });

  test('OCI against Docker media types of the same blobs: re-serialized, the same layer blobs, never "recompressed"', async () => {
    const [oci, docker] = await Promise.all([manifest('demo/oci', '1'), manifest('demo/docker', '1')]);
    assert.deepEqual(
      docker.json.layers.map((l) => l.digest),
      oci.json.layers.map((l) => l.digest),
      'the registry lists the same layer blobs for both',
    );
    await references(app(), 'demo/oci:1', 'demo/docker:1');
    const answer = await compare(app());
    assert.equal(answer.slug, 'converted');
    assert.deepEqual(answer.findings, ['reserialized', 'same-layer-blobs', 'same-image-id'], answer.summary);
    assert.doesNotMatch(answer.summary, /recompressed|other digests/);
    assert.match(answer.summary, /^B is A re-serialized \(media types: /);
    assert.ok(
      answer.summary.includes(`layers: ${oci.json.layers[0].mediaType} → ${docker.json.layers[0].mediaType}`),
      answer.summary,
    );
    assert.ok(answer.summary.includes(`same Image ID (${oci.json.config.digest})`), answer.summary);
  });

  test('gzip against zstd layers: the manifest lists other layer blobs, not "re-serialized"', async () => {
    const [oci, zstd] = await Promise.all([manifest('demo/oci', '1'), manifest('demo/zstd', '1')]);
    const other = zstd.json.layers.filter((l, i) => l.digest !== oci.json.layers[i].digest).length;
    await references(app(), 'demo/oci:1', 'demo/zstd:1');
    const answer = await compare(app());
    assert.equal(answer.slug, 'recompressed');
    assert.deepEqual(answer.findings, ['other-layer-blobs', 'recompressed', 'same-image-id'], answer.summary);
    assert.doesNotMatch(answer.summary, /re-serialized/);
    assert.match(answer.summary, /^B is A rewritten to list other layer blobs/);
    assert.ok(answer.summary.includes(`${other} of ${zstd.json.layers.length} layer blobs have other digests`), answer.summary);
  });

  test("B named last wins: a typed reference clears B's pasted manifest, a paste clears B's reference, and the page says which was used", async () => {
    const page = app().page;
    const zstd = await manifest('demo/zstd', '1');
    // First B is a pasted manifest (demo/zstd's bytes).
    await page.fill('[data-testid="reference-a"]', `${registry.host}/demo/oci:1`);
    await page.click(`${SCOPE} details > summary`);
    await app().pasteInto('document-b', zstd.text, SCOPE);
    const pasted = await compare(app());
    assert.equal(pasted.slug, 'recompressed', pasted.text);
    assert.match(pasted.used, /B is the pasted manifest/);
    assert.match(pasted.used, new RegExp(`A is the reference ${registry.host}/demo/oci:1`));

    // Then the user types references for both sides: B's reference is what is compared.
    await page.fill('[data-testid="reference-a"]', `${registry.host}/demo/oci:1`);
    await page.fill('[data-testid="reference-b"]', `${registry.host}/demo/docker:1`);
    assert.match(await page.textContent(`${SCOPE} [data-testid="compare-images-note"]`), /pasted manifest was cleared/);
    assert.equal(await page.inputValue(`${SCOPE} [data-testid="document-b"]`), '');
    const typed = await compare(app(), pasted.text);
    assert.equal(typed.slug, 'converted', typed.text);
    assert.match(typed.used, new RegExp(`B is the reference ${registry.host}/demo/docker:1`));
    assert.doesNotMatch(typed.used, /pasted/);

    // And pasting again takes B back to the pasted manifest, clearing the reference.
    await app().pasteInto('document-b', zstd.text, SCOPE);
    assert.equal(await page.inputValue('[data-testid="reference-b"]'), '');
    assert.match(await page.textContent(`${SCOPE} [data-testid="compare-images-note"]`), /reference was cleared/);
    const again = await compare(app(), typed.text);
    assert.equal(again.slug, 'recompressed', again.text);
    assert.match(again.used, /B is the pasted manifest/);
  });

  test('the comparison travels in the link: a fresh browser fetches both references by the digests seen and says the same', async () => {
    const page = app().page;
    const digests = [await contentDigest('demo/oci', '1'), await contentDigest('demo/zstd', '1')];
    await references(app(), 'demo/oci:1', 'demo/zstd:1');
    const answer = await compare(app());
    const typed = [await page.inputValue('[data-testid="reference-a"]'), await page.inputValue('[data-testid="reference-b"]')];
    await app().until(() => page.waitForFunction(() => document.querySelector('[data-testid="permalink"]')?.value), 'a link');
    const link = await page.inputValue('[data-testid="permalink"]');
    assert.ok(link.includes('#v1.'), link);
    const fresh = await launchBrowser();
    try {
      const paths = [];
      fresh.context.on('request', (r) => paths.push(new URL(r.url()).pathname));
      const url = new URL(link);
      const opened = await AppPage.open(fresh.context, app().origin, { path: url.pathname + url.hash, allowedOrigins: [registry.origin] });
      const again = await opened.waitForVerdict(SCOPE, () => true, 'the comparison opened from the link', 2 * WAIT_MS);
      assert.equal(again.text, answer.text);
      assert.equal(await opened.page.textContent(`${SCOPE} [data-testid="compared-inputs"]`), answer.used);
      assert.deepEqual(
        [await opened.page.inputValue('[data-testid="reference-a"]'), await opened.page.inputValue('[data-testid="reference-b"]')],
        typed,
      );
      for (const [repository, digest] of [['demo/oci', digests[0]], ['demo/zstd', digests[1]]]) {
        assert.ok(paths.includes(`/v2/${repository}/manifests/${digest}`), `${repository} fetched by ${digest}: ${paths.join(' ')}`);
      }
      await opened.close();
    } finally {
      await fresh.close();
    }
  });

  for (const width of [1280, 400]) {
    test(`the form at ${width} px: each label above its field, fields as wide as the form and on screen`, async () => {
      const page = app().page;
      await page.setViewportSize({ width, height: 900 });
      await references(app(), 'demo/oci:1', 'demo/docker:1');
      await page.locator(`${SCOPE} form`).scrollIntoViewIfNeeded();
      if (process.env.E2E_SCREENSHOT_DIR) {
        await page.locator(SCOPE).screenshot({ path: `${process.env.E2E_SCREENSHOT_DIR}/compare-images-${width}.png` });
      }
      const box = (sel) => page.locator(`${SCOPE} ${sel}`).boundingBox();
      const form = await box('form');
      for (const side of ['a', 'b']) {
        const label = await box(`label[for="reference-${side}"]`);
        const input = await box(`[data-testid="reference-${side}"]`);
        assert.ok(label.y + label.height <= input.y + 1, `label ${side} above its field: ${JSON.stringify({ label, input })}`);
        assert.ok(input.width >= 0.9 * form.width, `field ${side} (${input.width} px) spans the form (${form.width} px)`);
        assert.ok(input.x + input.width <= width, `field ${side} ends on screen`);
        const shown = await page.$eval(`[data-testid="reference-${side}"]`, (el) => el.scrollWidth <= el.clientWidth);
        if (width >= 1280) assert.ok(shown, `the whole reference in field ${side} is visible`);
      }
      const [a, b] = [await box('[data-testid="reference-a"]'), await box('[data-testid="reference-b"]')];
      assert.ok(a.y + a.height <= b.y, 'B below A, not beside it');
    });
  }
});
