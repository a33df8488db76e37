// End-to-end: verifying an image's layer blobs in the page. A person loads a manifest and its config,
// then drops the blob files or names the registry, and each layer row must say whether the blob matches
// the manifest's digest and size and whether its uncompressed content matches the config's diff_id.
//
// Expected values come from outside the page: the Docker-Content-Digest a real registry (Debian's
// docker-registry, distribution 2.8.2) sent, diff_ids written by umoci and checked with
// `gzip -dc | sha256sum` (tests/fixtures/registry), node's own crypto and zlib over the same bytes, and
// chain IDs computed with sha256sum by scripts/make-fixtures.
//
// The registry part uses E2E_REGISTRY (set by scripts/test) or starts its own on LAYERS_REGISTRY_PORT
// (default 5611) with scripts/registry and scripts/make-images (needs root, as make-images does).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, WAIT_MS, eventually, useApp } from './lib/harness.mjs';
import { sha256 } from './lib/expected.mjs';
import { REGISTRY_FIXTURES, loadRegistryFixtures } from './lib/fixtures.mjs';

const run = promisify(execFile);
const fixtures = await loadRegistryFixtures();
const fixtureIndex = JSON.parse(await readFile(REGISTRY_FIXTURES, 'utf8'));

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const TAR_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const ACCEPT_ALL = fixtureIndex.accept.all;

/** The manifest, config and layers of one fixture image directory (e.g. `demo-zstd`). */
function fixtureImage(dir) {
  const of = (role) => fixtures.files.filter((f) => f.dir === dir && f.role === role);
  const [manifest] = of('manifest');
  const [config] = of('config');
  const layers = of('layer').sort((a, b) => a.layerIndex - b.layerIndex);
  assert.ok(manifest && config && layers.length === 2, `fixture image ${dir} is complete`);
  const chainIds = fixtureIndex.files.find((f) => f.path === config.path).chain_ids;
  return { manifest, config, layers, chainIds };
}

const file = (name, buffer) => ({ name, mimeType: 'application/octet-stream', buffer });
const hex = (digest) => digest.slice('sha256:'.length);

/** Loads a manifest and its config as documents, the way a person opens two files. */
async function loadImage(app, manifest, config) {
  await app.chooseFiles([
    { name: 'manifest.json', mimeType: 'application/json', buffer: manifest },
    { name: 'config.json', mimeType: 'application/json', buffer: config },
  ]);
  await app.waitForDigests(2);
  await app.until(() => app.page.locator('[data-testid="blob-files"]').waitFor({ state: 'attached' }), 'the layer panel');
}

async function chooseBlobs(app, files) {
  await app.until(() => app.page.setInputFiles('[data-testid="blob-files"]', files), 'the blob input to take the files');
}

async function verifyFromRegistry(app, reference) {
  await app.until(() => app.page.fill('[data-testid="blob-registry"]', reference), 'the registry box');
  await app.click('verify-layers');
}

/** Every layer row (`index` set) and dropped-file row (`index` null) as the page shows it. */
function readRows() {
  const text = (root, id) => root.querySelector(`[data-testid="${id}"]`)?.textContent.trim() ?? null;
  return [...document.querySelectorAll('[data-testid="layer-result"]')].map((row) => ({
    index: row.getAttribute('data-index') === null ? null : Number(row.getAttribute('data-index')),
    state: row.getAttribute('data-state'),
    digest: text(row, 'measured-digest'),
    diffId: text(row, 'measured-diff-id'),
    problems: [...row.querySelectorAll('[data-testid="layer-message"]')].map((m) => m.getAttribute('data-problem')),
    messages: [...row.querySelectorAll('[data-testid="layer-message"]')].map((m) => m.textContent.trim()),
    notes: [...row.querySelectorAll('[data-testid="layer-note"]')].map((m) => m.textContent.trim()),
    progress: row.querySelector('[data-testid="layer-progress"]')?.getAttribute('value') ?? null,
    rate: text(row, 'layer-rate'),
  }));
}

const SETTLED = ['verified', 'mismatch', 'error', 'cancelled'];
const settled = (rows) => rows.length > 0 && rows.every((r) => SETTLED.includes(r.state));

/** Polls the rows until `accept(rows)`; on timeout fails with what the page showed. */
async function waitForRows(app, accept, what, timeout = WAIT_MS) {
  const deadline = Date.now() + timeout;
  for (;;) {
    app.throwIfProblems();
    const rows = await app.page.evaluate(readRows);
    if (accept(rows)) return rows;
    if (Date.now() > deadline) {
      const shot = await app.screenshot('layers-timeout');
      throw new Error(`timed out waiting for ${what}; the rows show ${JSON.stringify(rows, null, 2)}${shot ? `\nscreenshot: ${shot}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const layerRows = (rows) => rows.filter((r) => r.index !== null);
const chainIdsShown = (app) =>
  app.page.locator('[data-testid="verified-chain-id"]').evaluateAll((els) =>
    els.map((e) => ({ id: e.textContent.trim(), matches: e.getAttribute('data-matches') })),
  );

/** A one-image OCI manifest and config around `layers` ({ blob, diffId, mediaType }); digests by node. */
function syntheticImage(layers) {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType ?? TAR_GZIP, digest: sha256(l.blob), size: l.blob.length })),
    }),
  );
  return { manifest, config };
}

describe('verifying layer blob files', { skip: fixtures.reason ?? false }, () => {
  const app = useApp();

  for (const dir of ['demo-oci', 'demo-docker', 'demo-zstd']) {
    test(`${dir}: blobs named by digest (an OCI layout's blobs/sha256/<hex>) verify every layer`, async () => {
      const image = fixtureImage(dir);
      await loadImage(app(), image.manifest.bytes, image.config.bytes);
      await chooseBlobs(app(), image.layers.map((l) => file(hex(l.registryDigest), l.bytes)));
      const rows = await waitForRows(app(), settled, 'every layer to be checked');
      assert.deepEqual(
        layerRows(rows).map((r) => ({ index: r.index, state: r.state, digest: r.digest, diffId: r.diffId, problems: r.problems })),
        image.layers.map((l) => ({ index: l.layerIndex, state: 'verified', digest: l.registryDigest, diffId: l.diffId, problems: [] })),
      );
      assert.deepEqual(await chainIdsShown(app()), image.chainIds.map((id) => ({ id, matches: 'true' })));
    });
  }

  test('files with other names are matched by content, an uncompressed tar by its diff_id', async () => {
    const image = fixtureImage('demo-docker');
    const [l0, l1] = image.layers;
    const tar = gunzipSync(l1.bytes);
    assert.equal(sha256(tar), l1.diffId, 'node zlib agrees with the config');
    const stranger = fixtures.files.find((f) => f.role === 'layer' && f.dir === 'demo-multi/linux-arm64');
    await loadImage(app(), image.manifest.bytes, image.config.bytes);
    await chooseBlobs(app(), [file('0.tar.gz', l0.bytes), file('layer.tar', tar), file('other.tar.gz', stranger.bytes)]);
    const rows = await waitForRows(app(), (rs) => settled(rs) && layerRows(rs).every((r) => r.state !== 'idle'), 'the files to be placed');
    const [r0, r1] = layerRows(rows);
    assert.equal(r0.state, 'verified');
    assert.equal(r0.digest, l0.registryDigest);
    assert.equal(r1.state, 'verified', JSON.stringify(r1));
    assert.equal(r1.digest, l1.diffId, 'the uncompressed tar hashes to the diff_id');
    assert.equal(r1.diffId, l1.diffId);
    assert.match(r1.notes.join(' '), /docker save/);
    const strangers = rows.filter((r) => r.index === null);
    assert.equal(strangers.length, 1);
    assert.equal(strangers[0].state, 'mismatch');
    assert.deepEqual(strangers[0].problems, ['no-such-layer']);
    assert.equal(strangers[0].digest, stranger.registryDigest);
  });

  test("an OCI layout's config and manifest blobs, dropped with a layer, are named as what they are, not listed as tars", async () => {
    const image = fixtureImage('demo-oci');
    const [l0] = image.layers;
    await loadImage(app(), image.manifest.bytes, image.config.bytes);
    const others = [image.config, image.manifest];
    await chooseBlobs(app(), [file(hex(l0.registryDigest), l0.bytes), ...others.map((f) => file(hex(f.registryDigest), f.bytes))]);
    const rows = await waitForRows(
      app(),
      (rs) => rs[0]?.state === 'verified' && rs.filter((r) => r.index === null && r.state === 'image-blob').length === 2,
      'layer 0 verified and both documents named',
    );
    const named = await app().page.$$eval('[data-testid="layer-result"]:not([data-index])', (els) =>
      els.map((row) => ({
        blob: row.querySelector('[data-testid="layer-image-blob"]')?.getAttribute('data-blob') ?? null,
        text: row.querySelector('[data-testid="layer-image-blob"]')?.textContent ?? '',
        digest: row.querySelector('[data-testid="measured-digest"]')?.textContent ?? null,
        listed: row.querySelector('[data-testid="layer-files-summary"], [data-testid="layer-files-error"]') !== null,
      })),
    );
    assert.deepEqual(
      named.map(({ blob, digest, listed }) => ({ blob, digest, listed })),
      [
        { blob: 'config', digest: image.config.registryDigest, listed: false },
        { blob: 'manifest', digest: image.manifest.registryDigest, listed: false },
      ],
    );
    assert.match(named[0].text, /the image's config \(its digest is the Image ID/);
    assert.match(named[1].text, /the image manifest/);
    assert.deepEqual(rows.flatMap((r) => r.problems), [], 'no "no layer of this image"');
  });

  test("a layer's whiteouts count as deletions, not as files (demo/delete layer 1, as Python's tarfile reads it)", async () => {
    const layout = join(REPO_ROOT, 'tests/fixtures/merged/umoci-delete');
    const blob = (digest) => readFile(join(layout, 'blobs/sha256', hex(digest)));
    const [entry] = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')).manifests;
    const manifest = await blob(entry.digest);
    const doc = JSON.parse(manifest);
    const layer1 = await blob(doc.layers[1].digest);
    const script = `
import json, sys, tarfile, io
files = size = deletions = entries = 0
var = [0, 0]
for m in tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()), mode="r:*"):
    entries += 1
    whiteout = m.name.rsplit("/", 1)[-1].startswith(".wh.")
    if whiteout: deletions += 1
    elif m.isfile(): files += 1; size += m.size
    if m.name.startswith("var/"): var[1 if whiteout else 0] += 1
print(json.dumps({"entries": entries, "files": files, "bytes": size, "deletions": deletions, "var": var}))
`;
    const want = JSON.parse(execFileSync('python3', ['-c', script], { input: layer1 }).toString('utf8'));
    assert.deepEqual([want.files, want.deletions, want.var], [2, 3, [0, 1]], 'the fixture adds 2 files and deletes 3 paths, one in var/');
    await loadImage(app(), manifest, await blob(doc.config.digest));
    await chooseBlobs(app(), [file(hex(doc.layers[1].digest), layer1)]);
    await waitForRows(app(), (rs) => rs[1]?.state === 'verified', 'layer 1 to be verified');
    await eventually(app(), async () => {
      const shown = await app().page.$eval('[data-testid="layer-result"][data-index="1"]', (row) => ({
        summary: row.querySelector('[data-testid="layer-files-summary"]')?.textContent.trim(),
        varSize: row.querySelector('[data-testid="layer-file"][data-path="var"]')?.closest('summary')?.querySelector('.layer-dir-size')?.textContent,
      }));
      assert.equal(
        shown.summary,
        `Files: ${want.entries} entries · ${want.bytes} bytes in ${want.files} files · ${want.deletions} deletions from lower layers`,
      );
      assert.equal(shown.varSize, '1 deletion');
    }, "layer 1's file counts");
  });

  test('a corrupted blob is a digest mismatch and the other layer is still verified', async () => {
    const image = fixtureImage('demo-oci');
    const [l0, l1] = image.layers;
    const damaged = Buffer.from(l0.bytes);
    damaged[damaged.length >> 1] ^= 0x55;
    await loadImage(app(), image.manifest.bytes, image.config.bytes);
    await chooseBlobs(app(), [file(hex(l0.registryDigest), damaged), file(hex(l1.registryDigest), l1.bytes)]);
    const [r0, r1] = layerRows(await waitForRows(app(), settled, 'both layers to be checked'));
    assert.equal(r0.state, 'mismatch');
    assert.equal(r0.problems[0], 'digest-mismatch');
    assert.equal(r0.digest, sha256(damaged));
    assert.match(r0.messages[0], new RegExp(`Digest mismatch: the manifest names the blob ${l0.registryDigest}`));
    assert.equal(r1.state, 'verified');
  });

  test('a truncated gzip blob is named: fewer bytes than the descriptor and a stream cut short', async () => {
    const image = fixtureImage('demo-oci');
    const [l0, l1] = image.layers;
    const cut = l0.bytes.subarray(0, l0.bytes.length - 20);
    await loadImage(app(), image.manifest.bytes, image.config.bytes);
    await chooseBlobs(app(), [file(hex(l0.registryDigest), cut), file(hex(l1.registryDigest), l1.bytes)]);
    const [r0, r1] = layerRows(await waitForRows(app(), settled, 'both layers to be checked'));
    assert.equal(r0.state, 'error');
    assert.deepEqual(r0.problems, ['truncated-blob', 'truncated-stream']);
    assert.match(r0.messages[0], new RegExp(`says ${l0.size} bytes, only ${cut.length} arrived`));
    assert.match(r0.messages[1], /Truncated gzip/);
    assert.equal(r1.state, 'verified');
  });

  test('a decompression bomb stops at the cap the user set', async () => {
    const zeros = Buffer.alloc(64 << 20);
    const bomb = gzipSync(zeros, { level: 9 });
    const { manifest, config } = syntheticImage([{ blob: bomb, diffId: sha256(zeros) }]);
    await loadImage(app(), manifest, config);
    await app().until(() => app().page.fill('[data-testid="uncompressed-cap"]', '8'), 'the cap box');
    await chooseBlobs(app(), [file(hex(sha256(bomb)), bomb)]);
    const [row] = layerRows(await waitForRows(app(), settled, 'the bomb to be stopped'));
    assert.equal(row.state, 'error');
    assert.deepEqual(row.problems, ['over-cap']);
    assert.match(row.messages[0], /8\.0 MiB \(8388608 bytes\)/);
    assert.equal(row.digest, sha256(bomb), 'the blob digest is still checked');
  });
});

/** The registry the registry tests read from: scripts/test's, or one started here. */
const REGISTRY = process.env.E2E_REGISTRY ?? `127.0.0.1:${process.env.LAYERS_REGISTRY_PORT ?? 5611}`;

describe('verifying layers from a registry', () => {
  const app = useApp({ allowedOrigins: [`http://${REGISTRY}`] });
  let started = false;
  const stateDir = `/tmp/digestlens-layers-registry-${REGISTRY.split(':')[1]}`;

  before(async () => {
    if (process.env.E2E_REGISTRY) return;
    await run(join(REPO_ROOT, 'scripts/registry'), ['start', '--port', REGISTRY.split(':')[1], '--state-dir', stateDir]);
    started = true;
    await run(join(REPO_ROOT, 'scripts/make-images'), [REGISTRY, `${stateDir}-images`], { maxBuffer: 1 << 24 });
  });
  after(async () => {
    if (started) await run(join(REPO_ROOT, 'scripts/registry'), ['stop', '--port', REGISTRY.split(':')[1], '--state-dir', stateDir]);
  });

  /** GETs a path of the registry from node (not the page), with its Docker-Content-Digest. */
  async function get(path, accept) {
    const res = await fetch(`http://${REGISTRY}${path}`, { headers: accept ? { Accept: accept } : {} });
    assert.equal(res.status, 200, `GET ${path}`);
    return { bytes: Buffer.from(await res.arrayBuffer()), digest: res.headers.get('docker-content-digest') };
  }

  for (const repo of ['demo/oci', 'demo/docker', 'demo/zstd']) {
    test(`${repo}:1 — every layer fetched by the page matches the registry's digests and the config's diff_ids`, async () => {
      const manifest = await get(`/v2/${repo}/manifests/1`, ACCEPT_ALL);
      const doc = JSON.parse(manifest.bytes);
      const config = await get(`/v2/${repo}/blobs/${doc.config.digest}`);
      const diffIds = JSON.parse(config.bytes).rootfs.diff_ids;
      const blobs = await Promise.all(doc.layers.map((l) => get(`/v2/${repo}/blobs/${l.digest}`)));
      await loadImage(app(), manifest.bytes, config.bytes);
      await verifyFromRegistry(app(), `${REGISTRY}/${repo}:1`);
      const rows = layerRows(await waitForRows(app(), settled, 'every layer to be downloaded and checked'));
      assert.deepEqual(
        rows.map((r) => ({ state: r.state, digest: r.digest, diffId: r.diffId })),
        blobs.map((b, i) => ({ state: 'verified', digest: b.digest, diffId: diffIds[i] })),
      );
      for (const [i, blob] of blobs.entries()) {
        assert.equal(rows[i].digest, sha256(blob.bytes), 'the registry header is the sha256 of the body');
        if (doc.layers[i].mediaType.endsWith('gzip')) assert.equal(rows[i].diffId, sha256(gunzipSync(blob.bytes)), 'node zlib agrees');
      }
    });
  }

  test('Enter in the registry box starts the downloads, as the button does', async () => {
    const manifest = await get('/v2/demo/oci/manifests/1', ACCEPT_ALL);
    const doc = JSON.parse(manifest.bytes);
    const config = await get(`/v2/demo/oci/blobs/${doc.config.digest}`);
    const blobs = await Promise.all(doc.layers.map((l) => get(`/v2/demo/oci/blobs/${l.digest}`)));
    await loadImage(app(), manifest.bytes, config.bytes);
    await app().until(() => app().page.fill('[data-testid="blob-registry"]', `${REGISTRY}/demo/oci:1`), 'the registry box');
    await app().page.press('[data-testid="blob-registry"]', 'Enter');
    const rows = layerRows(await waitForRows(app(), settled, 'every layer to be downloaded after Enter'));
    assert.deepEqual(
      rows.map((r) => ({ state: r.state, digest: r.digest })),
      blobs.map((b) => ({ state: 'verified', digest: b.digest })),
    );
  });

  test('a blob the repository does not hold is a named registry error', async () => {
    const image = fixtureImage('demo-oci');
    await loadImage(app(), image.manifest.bytes, image.config.bytes);
    // demo/zstd holds the same config but its layers are the zstd blobs, not these gzip ones.
    await verifyFromRegistry(app(), `${REGISTRY}/demo/zstd:1`);
    const rows = layerRows(await waitForRows(app(), settled, 'both layers to fail'));
    assert.deepEqual(rows.map((r) => r.state), ['error', 'error']);
    assert.match(rows[0].messages[0], /has no such blob \(404 BLOB_UNKNOWN\)/);
  });
});

/**
 * A stand-in registry for what Debian's registry cannot be made to do: redirect blob GETs to storage
 * that sends no CORS headers (as S3 or a CDN often does), send a blob slowly enough to cancel, and keep a
 * repository behind a login whose token server refuses everyone, and serve an image (demo-oci's manifest
 * and config, as the registry sent them) whose layer downloads stall after their first bytes.
 */
async function listen(handler) {
  const server = createServer(handler);
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

// Random bytes do not compress: 4 MiB at 32 KiB per 50 ms takes about 6 s to send.
const slowContent = randomBytes(4 << 20);
const slowBlob = gzipSync(slowContent, { level: 1 });
const storage = await listen((req, res) => {
  // No Access-Control-Allow-Origin: the browser must refuse to hand this body to the page.
  const layer = fixtures.files.find((f) => f.role === 'layer' && req.url.endsWith(hex(f.registryDigest)));
  res.writeHead(layer ? 200 : 404, { 'Content-Type': 'application/octet-stream' }).end(layer?.bytes);
});
let slowRequestClosedEarly = false;
let privateTokenRequests = 0;
// `/v2/expiring/`: pull tokens from `/expiring-token` (`expires_in: 300`); the test can declare every
// token issued so far expired, as five minutes passing would. `stalledDownloads` counts the
// `/v2/stalled/` downloads that hold a worker.
const expiring = { issued: 0, validFrom: 1, tokensRefused: 0, stalledDownloads: 0 };
const frontend = await listen((req, res) => {
  const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'Content-Length, WWW-Authenticate' };
  if (req.url.startsWith('/v2/private/')) {
    const challenge = `Bearer realm="http://${req.headers.host}/token",service="stand-in",scope="repository:private:pull"`;
    res
      .writeHead(401, { ...cors, 'Content-Type': 'application/json', 'WWW-Authenticate': challenge })
      .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  } else if (req.url.startsWith('/token')) {
    privateTokenRequests++;
    res.writeHead(401, { ...cors, 'Content-Type': 'application/json' }).end('{"details":"no"}');
  } else if (req.url.startsWith('/v2/stalled/')) {
    const image = fixtureImage('demo-oci');
    const served = [image.manifest, image.config].find(
      (f) => req.url.endsWith(f.registryDigest) || (f === image.manifest && req.url.endsWith('/manifests/1')),
    );
    const layer = image.layers.find((l) => req.url.endsWith(l.registryDigest));
    if (served) {
      const type = served === image.manifest ? served.contentType : 'application/octet-stream';
      res.writeHead(200, { ...cors, 'Content-Type': type, 'Docker-Content-Digest': served.registryDigest }).end(served.bytes);
    } else if (layer) {
      res.writeHead(200, { ...cors, 'Content-Type': 'application/octet-stream', 'Content-Length': layer.bytes.length });
      if (req.method === 'HEAD') return res.end();
      expiring.stalledDownloads++;
      res.write(layer.bytes.subarray(0, 100));
    } else {
      res.writeHead(404, cors).end();
    }
  } else if (req.url.startsWith('/expiring-token')) {
    expiring.issued++;
    res.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify({ token: `tok-${expiring.issued}`, expires_in: 300 }));
  } else if (req.url.startsWith('/v2/expiring/blobs/')) {
    const n = Number(/^Bearer tok-(\d+)$/.exec(req.headers.authorization ?? '')?.[1] ?? 0);
    if (n < expiring.validFrom) {
      if (n > 0) expiring.tokensRefused++;
      const challenge = `Bearer realm="http://${req.headers.host}/expiring-token",service="stand-in",scope="repository:expiring:pull"`;
      res
        .writeHead(401, { ...cors, 'Content-Type': 'application/json', 'WWW-Authenticate': challenge })
        .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    const layer = fixtures.files.find((f) => f.role === 'layer' && req.url.endsWith(f.registryDigest));
    if (!layer) return res.writeHead(404, cors).end();
    res.writeHead(200, { ...cors, 'Content-Type': 'application/octet-stream', 'Content-Length': layer.bytes.length });
    res.end(req.method === 'HEAD' ? undefined : layer.bytes);
  } else if (req.url.startsWith('/v2/redirected/blobs/')) {
    res.writeHead(307, { ...cors, Location: `${storage.origin}/storage/${req.url.split(':').pop()}` }).end();
  } else if (req.url.startsWith('/v2/slow/blobs/')) {
    res.writeHead(200, { ...cors, 'Content-Type': 'application/octet-stream', 'Content-Length': slowBlob.length });
    if (req.method === 'HEAD') return res.end();
    let sent = 0;
    const timer = setInterval(() => {
      const next = slowBlob.subarray(sent, sent + (32 << 10));
      sent += next.length;
      res.write(next);
      if (sent >= slowBlob.length) {
        clearInterval(timer);
        res.end();
      }
    }, 50);
    res.on('close', () => {
      if (sent < slowBlob.length) slowRequestClosedEarly = true;
      clearInterval(timer);
    });
  } else {
    res.writeHead(404, cors).end();
  }
});

describe('registries that get in the way', () => {
  const app = useApp({ allowedOrigins: [frontend.origin, storage.origin] });
  after(() => {
    frontend.server.closeAllConnections();
    storage.server.closeAllConnections();
    frontend.server.close();
    storage.server.close();
  });

  test('a blob redirected to storage without CORS headers gets a named message', async () => {
    const image = fixtureImage('demo-oci');
    await loadImage(app(), image.manifest.bytes, image.config.bytes);
    await verifyFromRegistry(app(), `${frontend.origin.replace('http://', '')}/redirected:1`);
    const rows = layerRows(await waitForRows(app(), settled, 'both downloads to fail'));
    assert.deepEqual(rows.map((r) => r.state), ['error', 'error']);
    assert.match(rows[0].messages[0], /sent the download on to .*which does not allow reads from web pages/s);
    assert.match(rows[0].messages[0], /crane blob/);
  });

  test('a blob behind a login the token server refuses gets the message a manifest fetch gets', async () => {
    const reference = `${frontend.origin.replace('http://', '')}/private:1`;
    const page = app().page;
    await page.fill('[data-testid="reference"]', reference);
    await page.press('[data-testid="reference"]', 'Enter');
    const fetchError = await app().until(
      () => page.locator('[data-testid="error"][data-kind="auth"]').textContent(),
      'the fetch to fail',
    );
    const image = fixtureImage('demo-oci');
    await loadImage(app(), image.manifest.bytes, image.config.bytes);
    const before = privateTokenRequests;
    await verifyFromRegistry(app(), reference);
    const rows = layerRows(await waitForRows(app(), settled, 'both layers to fail'));
    assert.deepEqual(rows.map((r) => r.state), ['error', 'error']);
    assert.match(rows[0].messages[0], /token server refused an anonymous token \(HTTP 401\)/);
    assert.ok(fetchError.includes(rows[0].messages[0]), `the fetch said: ${fetchError}`);
    assert.equal(privateTokenRequests - before, 1, 'one token request for both layers');
  });

  /** Fetches the image whose layer downloads stall, with the fetch timeout set to `seconds`. */
  async function fetchStalledImage(seconds) {
    const page = app().page;
    await page.locator('.fetch-settings').evaluate((d) => {
      d.open = true;
    });
    await page.fill('[data-testid="timeout"]', String(seconds));
    await page.fill('[data-testid="reference"]', `${frontend.origin.replace('http://', '')}/stalled:1`);
    await page.press('[data-testid="reference"]', 'Enter');
    await app().waitForDigests(2);
    await app().until(() => page.locator('[data-testid="verify-layers"]').waitFor(), 'the layer panel');
  }

  test('a fetched image\'s layer downloads stop after the fetch\'s timeout when the registry goes silent', async () => {
    await fetchStalledImage(2);
    const t0 = Date.now();
    await app().click('verify-layers');
    const rows = layerRows(await waitForRows(app(), settled, 'both downloads to stop'));
    const seconds = (Date.now() - t0) / 1000;
    assert.deepEqual(rows.map((r) => r.state), ['error', 'error']);
    assert.match(rows[0].messages[0], /^Reading broke off after 100 bytes \(nothing arrived for 2 seconds\)/);
    assert.ok(seconds >= 2, `stopped after ${seconds} s, not before the timeout`);
  });

  test('Cancel stops a download that waits on a silent registry, long before its timeout', async () => {
    await fetchStalledImage(120);
    const stalled = expiring.stalledDownloads;
    await app().click('verify-layers');
    for (const deadline = Date.now() + WAIT_MS; expiring.stalledDownloads - stalled < 2; ) {
      if (Date.now() > deadline) throw new Error('the stalling downloads did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    await app().click('cancel-all');
    // Settled within the wait (15 s), far inside the 120 s timeout: the reads were aborted.
    const rows = layerRows(await waitForRows(app(), settled, 'both downloads to stop'));
    assert.deepEqual(rows.map((r) => r.state), ['cancelled', 'cancelled']);
  });

  test('layers queued behind others renew a pull token that expired while they waited, when they start', async () => {
    const page = app().page;
    const host = frontend.origin.replace('http://', '');
    // Both workers busy: the downloads of a fetched image that stall after their first bytes, until
    // the fetch's timeout of 5 s.
    await page.locator('.fetch-settings').evaluate((d) => {
      d.open = true;
    });
    await page.fill('[data-testid="timeout"]', '5');
    await page.fill('[data-testid="reference"]', `${host}/stalled:1`);
    await page.press('[data-testid="reference"]', 'Enter');
    await app().waitForDigests(2);
    await app().until(() => page.locator('[data-testid="verify-layers"]').waitFor(), 'the layer panel');
    const stalled = expiring.stalledDownloads;
    await app().click('verify-layers');
    for (const deadline = Date.now() + WAIT_MS; expiring.stalledDownloads - stalled < 2; ) {
      if (Date.now() > deadline) throw new Error('the stalling downloads did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    // A second image, whose layers get a pull token now and wait for a free worker.
    const image = fixtureImage('demo-docker');
    await app().chooseFiles([
      { name: 'manifest.json', mimeType: 'application/json', buffer: image.manifest.bytes },
      { name: 'config.json', mimeType: 'application/json', buffer: image.config.bytes },
    ]);
    const second = page.locator('[data-testid="layers"]').nth(1);
    await app().until(() => second.waitFor(), 'the second layer panel');
    await app().until(() => second.locator('[data-testid="blob-registry"]').fill(`${host}/expiring:1`), 'the second registry box');
    const issued = expiring.issued;
    await second.locator('[data-testid="verify-layers"]').click();
    await waitForRows(
      app(),
      (rs) => rs.length === 4 && rs.slice(2).every((r) => r.state === 'queued'),
      'the second image\'s layers to wait',
    );
    assert.equal(expiring.issued - issued, 1, 'one token when Verify was pressed');
    // Ten minutes later for the page (the registry refuses every token issued so far), the stalled
    // downloads time out and free the workers.
    await page.clock.setSystemTime(Date.now() + 10 * 60 * 1000);
    expiring.validFrom = expiring.issued + 1;
    const refused = expiring.tokensRefused;
    const rows = await waitForRows(app(), settled, 'every layer');
    assert.deepEqual(rows.slice(0, 2).map((r) => r.state), ['error', 'error'], 'the stalled downloads timed out');
    assert.deepEqual(
      rows.slice(2).map((r) => ({ state: r.state, digest: r.digest, diffId: r.diffId, messages: r.messages })),
      image.layers.map((l, i) => ({
        state: 'verified',
        digest: l.registryDigest,
        diffId: JSON.parse(image.config.bytes).rootfs.diff_ids[i],
        messages: [],
      })),
    );
    assert.equal(expiring.tokensRefused - refused, 0, 'no layer sent the expired token');
    assert.ok(expiring.issued - issued >= 2, 'a new token was asked for when the layers started');
  });

  test('a slow download shows its progress and can be cancelled', async () => {
    const { manifest, config } = syntheticImage([{ blob: slowBlob, diffId: sha256(slowContent) }]);
    await loadImage(app(), manifest, config);
    await verifyFromRegistry(app(), `${frontend.origin.replace('http://', '')}/slow:1`);
    const [running] = await waitForRows(
      app(),
      (rs) => rs[0]?.state === 'running' && Number(rs[0].progress) > 0 && /MB\/s/.test(rs[0].rate ?? ''),
      'progress with a rate',
    );
    assert.match(running.rate, /^\d+\.\d MiB of \d+\.\d MiB · \d+ MB\/s · \d+ s left$/);
    await app().click('layer-cancel');
    const [row] = await waitForRows(app(), (rs) => rs[0]?.state === 'cancelled', 'the cancel');
    assert.equal(row.state, 'cancelled');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(slowRequestClosedEarly, 'the download was stopped, not just hidden');
  });
});
