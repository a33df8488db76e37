// End-to-end: two images' layers in one table ("which layers are shared, which differ and why"), on
// images that umoci built and skopeo/buildah pushed to a real registry (Debian's docker-registry,
// distribution 2.8.2: scripts/test's, E2E_REGISTRY in CORS mode, or one started here). Expected values
// come from outside the page: each blob's Docker-Content-Digest (node's fetch from the registry), each
// diff_id as the sha256 (node crypto) of the blob decompressed by node's zlib (`gzip -dc`) or the zstd
// CLI (`zstd -dc`), the configs' rootfs.diff_ids as the registry serves them.
//
// Also: two large layer blobs opened in the comparison (one GNU tar compressed by `gzip -1` and by
// `gzip -9`) are compared in the analysis worker: "Working…" shows, the page keeps working meanwhile.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import { useApp, WAIT_MS } from './lib/harness.mjs';
import { sha256 } from './lib/expected.mjs';
import { MANIFEST_ACCEPT, startRegistry } from './lib/registries.mjs';

const registry = process.env.E2E_REGISTRY
  ? { host: process.env.E2E_REGISTRY, origin: `http://${process.env.E2E_REGISTRY}`, stop: async () => {} }
  : await startRegistry({ port: Number(process.env.E2E_PAIRS_REGISTRY_PORT ?? 5671), mode: 'cors' });
after(() => registry.stop());

/** GETs `path` of `repository` straight from the registry: the bytes and the Docker-Content-Digest. */
async function get(repository, path, accept) {
  const res = await fetch(`${registry.origin}/v2/${repository}/${path}`, { headers: accept ? { accept } : {} });
  assert.equal(res.status, 200, `GET ${repository}/${path}`);
  return { bytes: Buffer.from(await res.arrayBuffer()), digest: res.headers.get('docker-content-digest') };
}

/** The uncompressed content of a layer blob, decompressed by tools that are not the page's. */
function decompress(bytes, mediaType) {
  if (mediaType.endsWith('zstd')) {
    const out = spawnSync('zstd', ['-dc'], { input: bytes, maxBuffer: 1 << 26 });
    assert.equal(out.status, 0, `zstd -dc: ${out.stderr}`);
    return out.stdout;
  }
  return gunzipSync(bytes);
}

/**
 * What the registry and the tools say about `repository:tag`'s layers: per layer the blob's
 * Docker-Content-Digest, its size, the sha256 of its decompressed content and the config's diff_id.
 */
async function layerFacts(repository, tag) {
  const manifest = JSON.parse((await get(repository, `manifests/${tag}`, MANIFEST_ACCEPT)).bytes);
  const config = JSON.parse((await get(repository, `blobs/${manifest.config.digest}`)).bytes);
  return Promise.all(
    manifest.layers.map(async (layer, i) => {
      const blob = await get(repository, `blobs/${layer.digest}`);
      return {
        digest: blob.digest,
        size: blob.bytes.length,
        uncompressed: sha256(decompress(blob.bytes, layer.mediaType)),
        diffId: config.rootfs.diff_ids[i],
      };
    }),
  );
}

/** The table's rows inside `scope`, as plain data, once there are `count` of them. */
async function pairRows(app, scope, count) {
  const selector = `${scope} [data-testid="layer-pairs"] [data-testid="layer-pairs-row"]`;
  await app.until(
    () => app.page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length === n, [selector, count]),
    `${count} rows in the layer table`,
  );
  return app.page.locator(selector).evaluateAll((rows) =>
    rows.map((row) => ({
      index: Number(row.dataset.index),
      status: row.dataset.status,
      digestA: row.dataset.digestA ?? null,
      digestB: row.dataset.digestB ?? null,
      diffIdA: row.dataset.diffIdA ?? null,
      diffIdB: row.dataset.diffIdB ?? null,
      text: row.textContent,
      why: row.querySelector('[data-testid="layer-pair-why-button"]') !== null,
    })),
  );
}

/** Presses row `index`'s "Why?" in `scope` and waits for its answer. */
async function askWhy(app, scope, index) {
  const row = `${scope} [data-testid="layer-pairs-row"][data-index="${index}"]`;
  await app.until(() => app.page.click(`${row} [data-testid="layer-pair-why-button"]`), `"Why?" of layer ${index}`);
  const answer = app.page.locator(`${scope} [data-testid="layer-pair-why"]`);
  await app.until(() => answer.waitFor({ timeout: 2 * WAIT_MS }), `the answer to "Why?" of layer ${index}`);
  return { reason: await answer.getAttribute('data-reason'), text: (await answer.textContent()).trim() };
}

/** Checks each row against the registry's and the tools' facts of both images. */
function assertRows(rows, factsA, factsB, status) {
  assert.equal(rows.length, Math.max(factsA.length, factsB.length));
  for (const [i, row] of rows.entries()) {
    assert.equal(row.index, i);
    assert.equal(row.status, status, row.text);
    assert.equal(row.digestA, factsA[i].digest, `layer ${i} of A: the registry's Docker-Content-Digest`);
    assert.equal(row.digestB, factsB[i].digest, `layer ${i} of B: the registry's Docker-Content-Digest`);
    assert.equal(row.diffIdA, factsA[i].diffId, `layer ${i} of A: the config's diff_id`);
    assert.equal(row.diffIdB, factsB[i].diffId, `layer ${i} of B: the config's diff_id`);
    assert.equal(factsA[i].diffId, factsA[i].uncompressed, 'the diff_id is the sha256 of the decompressed blob');
    assert.equal(factsB[i].diffId, factsB[i].uncompressed, 'the diff_id is the sha256 of the decompressed blob');
  }
}

/** Compares two references with the two-images form and returns its table's rows. */
async function compareImages(app, a, b, count) {
  await app.page.fill('[data-testid="reference-a"]', `${registry.host}/${a}`);
  await app.page.fill('[data-testid="reference-b"]', `${registry.host}/${b}`);
  await app.click('compare-images-button');
  return pairRows(app, '[data-testid="compare-images"]', count);
}

/** Fetches `reference` into the page (its manifests and configs) and waits until the fetch settled. */
async function fetchReference(app, reference) {
  await app.page.fill('[data-testid="reference"]', `${registry.host}/${reference}`);
  await app.page.press('[data-testid="reference"]', 'Enter');
  await app.until(
    () => app.page.locator('[data-testid="progress"]:not([data-state="running"])').waitFor(),
    `the fetch of ${reference} to settle`,
  );
}

describe('two images, one layer table', () => {
  const app = useApp({ allowedOrigins: [registry.origin] });

  test('two tags that share their layers (demo/oci:1 and its Docker-format copy demo/docker:1) show each layer shared', async () => {
    const [factsA, factsB] = await Promise.all([layerFacts('demo/oci', '1'), layerFacts('demo/docker', '1')]);
    const rows = await compareImages(app(), 'demo/oci:1', 'demo/docker:1', factsA.length);
    assertRows(rows, factsA, factsB, 'shared');
    for (const row of rows) {
      assert.match(row.text, /same blob \(shared\)/);
      assert.equal(row.why, false, 'a shared blob has nothing to explain');
    }
  });

  test('an image and its zstd copy show each layer recompressed; "Why?" downloads both blobs and names the compression only', async () => {
    const [factsA, factsB] = await Promise.all([layerFacts('demo/oci', '1'), layerFacts('demo/zstd', '1')]);
    const scope = '[data-testid="compare-images"]';
    const rows = await compareImages(app(), 'demo/oci:1', 'demo/zstd:1', factsA.length);
    assertRows(rows, factsA, factsB, 'recompressed');
    assert.match(rows[0].text, /same content, different compression \(diff_id equal\)/);
    assert.ok(rows.every((r) => r.why));
    const why = await askWhy(app(), scope, 0);
    assert.equal(why.reason, 'compression-only', why.text);
    assert.match(why.text, /Same content, different compression/);
    assert.match(why.text, /gzip vs zstd/);
    assert.doesNotMatch(why.text, /files differ|modification times|owners/i);
    await app().waitForFetched(`/blobs/${factsA[0].digest}`);
    await app().waitForFetched(`/blobs/${factsB[0].digest}`);
  });

  test('in the comparison, two platforms of one index picked as A and B differ in content, and "Why?" names the changed file', async () => {
    const index = JSON.parse((await get('demo/multi', 'manifests/1', MANIFEST_ACCEPT)).bytes);
    const entry = (arch) => index.manifests.find((m) => m.platform?.architecture === arch);
    const [amd64, arm64] = [entry('amd64').digest, entry('arm64').digest];
    const [factsA, factsB] = await Promise.all([layerFacts('demo/multi', amd64), layerFacts('demo/multi', arm64)]);
    await fetchReference(app(), 'demo/multi:1');
    const short = (digest) => digest.split(':')[1].slice(0, 12);
    await app().pickOption('pick-a', short(amd64));
    await app().pickOption('pick-b', short(arm64));
    const scope = '[data-testid="compare"]';
    const rows = await pairRows(app(), scope, factsA.length);
    assertRows(rows, factsA, factsB, 'different');
    assert.match(rows[0].text, /different content/);
    const why = await askWhy(app(), scope, 0);
    assert.equal(why.reason, 'contents', why.text);
    assert.match(why.text, /The files differ: 0 added, 0 removed, 1 changed/);
    assert.match(why.text, /etc\/demo-release/);
  });

  test('in the comparison, a manifest whose config is not loaded gets "unknown" rows', async () => {
    const oci = await get('demo/oci', 'manifests/1', MANIFEST_ACCEPT);
    const zstd = await get('demo/zstd', 'manifests/1', MANIFEST_ACCEPT);
    await app().pasteInto('paste-a', oci.bytes.toString('utf8'));
    await app().pasteInto('paste-b', zstd.bytes.toString('utf8'));
    const rows = await pairRows(app(), '[data-testid="compare"]', JSON.parse(oci.bytes).layers.length);
    for (const row of rows) {
      assert.equal(row.status, 'unknown');
      assert.match(row.text, /unknown \(config not loaded\)/);
      assert.equal(row.why, false, 'a pasted manifest names no registry to download its blobs from');
    }
  });

  test('two manifests of 1,000 layers each: the table draws 200 rows and says how many it left out', async () => {
    const manifest = (salt) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(Buffer.from(salt)), size: 2 },
        layers: Array.from({ length: 1000 }, (_, i) => ({
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: sha256(Buffer.from(`${salt} ${i}`)),
          size: i + 1,
        })),
      });
    await app().pasteInto('paste-a', manifest('a'));
    await app().pasteInto('paste-b', manifest('b'));
    const rows = await pairRows(app(), '[data-testid="compare"]', 200);
    assert.ok(rows.every((r) => r.status === 'unknown'));
    assert.equal(rows[199].digestA, sha256(Buffer.from('a 199')));
    assert.equal(await app().page.textContent('[data-testid="layer-pairs-more"]'), '800 more layer positions are not drawn.');
  });
});

/**
 * One GNU tar of `files` incompressible files of `size` bytes (fixed names, mtimes and owners),
 * compressed by the gzip CLI at level 1 and at level 9, written into `dir` (large files reach the
 * page by path: a buffer that size takes too long through the browser protocol).
 */
function largeLayerPair(dir, files, size) {
  const root = join(dir, 'root');
  try {
    execFileSync('mkdir', ['-p', root]);
    for (let i = 0; i < files; i++) writeFileSync(join(root, `blob-${i}.bin`), randomBytes(size));
    const tar = execFileSync(
      'tar',
      ['--sort=name', '--mtime=@1700000000', '--owner=0', '--group=0', '--numeric-owner', '-C', root, '-cf', '-', '.'],
      { maxBuffer: 1 << 30 },
    );
    const gzip = (level) => {
      const path = join(dir, `layer-gzip${level}.tar.gz`);
      writeFileSync(path, execFileSync('gzip', [`-${level}`, '-n', '-c'], { input: tar, maxBuffer: 1 << 30 }));
      return path;
    };
    return { fast: gzip(1), best: gzip(9), size: tar.length };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('two large layer blobs compared off the page\'s thread', () => {
  const app = useApp();

  test('"Working…" shows while the worker reads both blobs, and the page analyses a paste meanwhile', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'digestlens-e2e-large-layer-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { fast, best, size } = largeLayerPair(dir, 12, 2 << 20);
    const page = app().page;
    await page.setInputFiles('[data-testid="file-a"]', fast);
    const started = Date.now();
    await page.setInputFiles('[data-testid="file-b"]', best);
    const pending = page.locator('[data-testid="comparison"] [data-testid="compare-pending"]');
    await app().until(() => pending.waitFor(), '"Working…"');
    assert.match(await pending.textContent(), /^Working…/);
    // Watch the page's thread while the worker works: long tasks, and a paste analysed meanwhile.
    await page.evaluate(() => {
      window.__longest = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longest = Math.max(window.__longest, entry.duration);
      }).observe({ type: 'longtask' });
    });
    const text = '{"typed": "while two layers are compared"}';
    await app().paste(text);
    await app().waitForDocuments((d) => d.some((x) => x.digest === sha256(Buffer.from(text))), 'the pasted text');
    assert.equal(await pending.count(), 1, 'the comparison was still running when the paste was analysed');
    const verdict = await app().waitForVerdict('[data-testid="comparison"]', (v) => v.slug !== null, 'the verdict', 6 * WAIT_MS);
    const elapsed = Date.now() - started;
    const longest = await page.evaluate(() => window.__longest);
    t.diagnostic(
      `two layer blobs of a ${(size / 2 ** 20).toFixed(0)} MiB tar compared in ${elapsed} ms; ` +
        `longest task on the page's thread meanwhile: ${Math.round(longest)} ms`,
    );
    assert.equal(verdict.slug, 'compression-only', verdict.text);
    assert.match(verdict.text, /Same content, different compression/);
    assert.ok(longest < 500, `the page's thread was blocked for ${Math.round(longest)} ms`);
  });
});
