// End-to-end: "Why?" of the two-images layer table when the registry misbehaves, on images that umoci
// built and skopeo/buildah pushed to a real registry (Debian's docker-registry, distribution 2.8.2:
// E2E_REGISTRY in CORS mode, or one started here), behind the fault proxy of lib/registries.mjs:
//
// - a registry (or mirror) that answers a layer's blob GET with another blob's bytes: "Why?" says the
//   bytes are not the blob asked for, naming the digest asked and the digest of what arrived, and
//   explains nothing. Expected digests are the registry's own Docker-Content-Digest and node's sha256.
// - a "Why?" whose download stalls, replaced by another question: the one analysis worker is freed, so
//   a comparison asked next answers in seconds, not after the stalled download's timeout.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { useApp, WAIT_MS } from './lib/harness.mjs';
import { MANIFEST_ACCEPT, startFaultProxy, startRegistry } from './lib/registries.mjs';

const registry = process.env.E2E_REGISTRY
  ? { host: process.env.E2E_REGISTRY, origin: `http://${process.env.E2E_REGISTRY}`, stop: async () => {} }
  : await startRegistry({ port: Number(process.env.E2E_WHY_REGISTRY_PORT ?? 5672), mode: 'cors' });
const proxy = await startFaultProxy(registry.origin);
after(async () => {
  await proxy.close();
  await registry.stop();
});

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** GETs `path` of `repository` straight from the registry: the bytes and the Docker-Content-Digest. */
async function get(repository, path, accept) {
  const res = await fetch(`${registry.origin}/v2/${repository}/${path}`, { headers: accept ? { accept } : {} });
  assert.equal(res.status, 200, `GET ${repository}/${path}`);
  return { bytes: Buffer.from(await res.arrayBuffer()), digest: res.headers.get('docker-content-digest') };
}

/** The registry's manifest of `repository:tag`, parsed. */
async function manifestOf(repository, tag) {
  return JSON.parse((await get(repository, `manifests/${tag}`, MANIFEST_ACCEPT)).bytes);
}

/** The registry's Docker-Content-Digest of `repository`'s first layer blob, with its bytes. */
async function firstLayer(repository, tag) {
  const manifest = await manifestOf(repository, tag);
  return get(repository, `blobs/${manifest.layers[0].digest}`);
}

describe('"Why?" when the registry misbehaves', () => {
  const app = useApp({ allowedOrigins: [registry.origin, proxy.origin], realPreflights: true });

  /** Sets the connection's proxy prefix to `fault`'s and its timeout to `timeout` seconds. */
  async function through(fault, timeout = 20) {
    const page = app().page;
    await page.locator('.fetch-settings').evaluate((d) => {
      d.open = true;
    });
    await page.fill('[data-testid="proxy"]', `${proxy.origin}/${fault}/`);
    await page.fill('[data-testid="timeout"]', String(timeout));
  }

  /** Compares two references with the two-images form; waits for row 0 to offer "Why?". */
  async function compareImages(a, b) {
    const page = app().page;
    await page.fill('[data-testid="reference-a"]', `${registry.host}/${a}`);
    await page.fill('[data-testid="reference-b"]', `${registry.host}/${b}`);
    await app().click('compare-images-button');
    const row = '[data-testid="compare-images"] [data-testid="layer-pairs-row"][data-index="0"]';
    await app().until(() => page.locator(row).waitFor(), `row 0 of ${a} and ${b}`);
    return row;
  }

  test('a layer blob answered with another blob\'s bytes: "Why?" names the digest asked and the digest received, and explains nothing', async (t) => {
    const asked = await firstLayer('demo/oci', '1');
    // The other bytes: the image's next layer, a gzip tar too ("Why?" could explain it) and shorter
    // than the one asked (so its digest is computed before the size check stops reading).
    const other = await get('demo/oci', `blobs/${(await manifestOf('demo/oci', '1')).layers[1].digest}`);
    assert.equal(other.digest, sha256(other.bytes), 'the registry names the blob by the sha256 of its bytes');
    assert.ok(other.bytes.length < asked.bytes.length);
    proxy.otherBlobs[asked.digest] = other.digest;
    await through('other-blob');
    const row = await compareImages('demo/oci:1', 'demo/zstd:1');
    assert.equal(await app().page.getAttribute(row, 'data-digest-a'), asked.digest);
    await app().until(() => app().page.click(`${row} [data-testid="layer-pair-why-button"]`), '"Why?" of layer 0');
    const error = app().page.locator('[data-testid="compare-images"] [data-testid="layer-pair-why-error"]');
    await app().until(() => error.waitFor({ timeout: 2 * WAIT_MS }), 'the sentence of "Why?"');
    const text = (await error.textContent()).trim();
    t.diagnostic(text);
    assert.match(text, /^Blob A is not the blob asked for/, text);
    assert.ok(text.includes(asked.digest), `names the digest asked: ${text}`);
    assert.ok(text.includes(other.digest), `names the digest of the bytes that arrived: ${text}`);
    assert.ok(text.includes(`${other.bytes.length} bytes arrived`), text);
    assert.equal(await app().page.locator('[data-testid="layer-pair-why"]').count(), 0, 'no explanation of other bytes');
    assert.ok(proxy.hits['other-blob'] >= 1, 'the proxy served the other bytes');
    delete proxy.otherBlobs[asked.digest];
  });

  test('a layer blob answered with longer bytes: "Why?" says only the first bytes were read and the blob was not verified', async (t) => {
    const manifest = await manifestOf('demo/oci', '1');
    const asked = await get('demo/oci', `blobs/${manifest.layers[1].digest}`);
    const other = await get('demo/oci', `blobs/${manifest.layers[0].digest}`);
    assert.ok(other.bytes.length > asked.bytes.length);
    proxy.otherBlobs[asked.digest] = other.digest;
    await through('other-blob');
    await compareImages('demo/oci:1', 'demo/zstd:1');
    const row = '[data-testid="compare-images"] [data-testid="layer-pairs-row"][data-index="1"]';
    assert.equal(await app().page.getAttribute(row, 'data-digest-a'), asked.digest);
    await app().until(() => app().page.click(`${row} [data-testid="layer-pair-why-button"]`), '"Why?" of layer 1');
    const error = app().page.locator('[data-testid="compare-images"] [data-testid="layer-pair-why-error"]');
    await app().until(() => error.waitFor({ timeout: 2 * WAIT_MS }), 'the sentence of "Why?"');
    const text = (await error.textContent()).trim();
    t.diagnostic(text);
    assert.match(text, /^Blob A is not the blob asked for/, text);
    assert.ok(text.includes(`${asked.digest} (${asked.bytes.length} bytes) was asked`), text);
    // The verifier stops in the chunk that runs past the descriptor's size: at least one byte past
    // the registry's size, at most all the other bytes.
    const read = Number(/only the first (\d+) bytes were read/.exec(text)?.[1]);
    assert.ok(read > asked.bytes.length && read <= other.bytes.length, text);
    assert.match(text, /the blob was not verified/, text);
    assert.equal(await app().page.locator('[data-testid="layer-pair-why"]').count(), 0, 'no explanation of other bytes');
    delete proxy.otherBlobs[asked.digest];
  });

  test('a "Why?" whose download stalls, replaced by other images, leaves the worker free: a comparison answers at once, and "Why?" works again', async () => {
    const page = app().page;
    const stalled = await firstLayer('demo/oci', '1');
    proxy.stalledBlobs.add(stalled.digest);
    // The stalled download would hold the worker for the whole timeout: a minute.
    await through('stalled-blob', 60);
    const row = await compareImages('demo/oci:1', 'demo/zstd:1');
    const scope = '[data-testid="compare-images"]';
    await app().until(() => page.click(`${row} [data-testid="layer-pair-why-button"]`), '"Why?" of layer 0');
    await app().until(() => page.locator(`${scope} [data-testid="layer-pair-why-pending"]`).waitFor(), '"Working…"');
    for (let i = 0; proxy.hits['stalled-blob'] === 0 && i < 100; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(proxy.hits['stalled-blob'] >= 1, 'the worker\'s download reached the stalling proxy');
    // Replaced: other images in the form, so the row that asked is gone and its question cancelled.
    proxy.stalledBlobs.delete(stalled.digest);
    await compareImages('demo/oci:1', 'demo/docker:1');
    assert.equal(await page.locator(`${scope} [data-testid="layer-pair-why-pending"]`).count(), 0);
    // A comparison asked next is answered by the analysis worker at once.
    const started = Date.now();
    await app().pasteInto('paste-a', '{"a": 1}');
    await app().pasteInto('paste-b', '{"a": 2}');
    const verdict = await app().waitForVerdict('[data-testid="comparison"]', (v) => v.slug !== null, 'the verdict', 2 * WAIT_MS);
    const elapsed = Date.now() - started;
    assert.ok(verdict.slug, verdict.text);
    assert.ok(elapsed < 15_000, `the comparison took ${elapsed} ms behind a cancelled "Why?"`);
    // And "Why?" itself works again, in the fresh worker.
    await through('stalled-blob', 20);
    const again = await compareImages('demo/oci:1', 'demo/zstd:1');
    await app().until(() => page.click(`${again} [data-testid="layer-pair-why-button"]`), '"Why?" of layer 0 again');
    const answer = page.locator(`${scope} [data-testid="layer-pair-why"]`);
    await app().until(() => answer.waitFor({ timeout: 2 * WAIT_MS }), 'the answer to "Why?"');
    assert.equal(await answer.getAttribute('data-reason'), 'compression-only', await answer.textContent());
  });
});
