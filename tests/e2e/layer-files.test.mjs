// End-to-end: what a layer holds, and why two layers differ, in the page. A person loads a manifest
// and config, drops the layer blob, and the layer's row lists its tar entries; two layer blobs opened
// in the comparison get the file-level reason they differ.
//
// The layers were written by real tools (umoci, skopeo, GNU tar, Python's tarfile) and their expected
// listings and per-file sha256 come from Python's tarfile + hashlib (scripts/make-layer-fixtures,
// tests/fixtures/layers/expected.json); manifest and config digests come from node's crypto.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, WAIT_MS, eventually, useApp } from './lib/harness.mjs';
import { sha256 } from './lib/expected.mjs';
import { startRegistry } from './lib/registries.mjs';

const LAYERS = join(REPO_ROOT, 'tests/fixtures/layers');
const expected = JSON.parse(await readFile(join(LAYERS, 'expected.json'), 'utf8'));
const layer = (file) => expected.layers.find((l) => l.file === file);
const bytes = (file) => readFile(join(LAYERS, file));

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const MEDIA_TYPES = { gz: 'application/vnd.oci.image.layer.v1.tar+gzip', zst: 'application/vnd.oci.image.layer.v1.tar+zstd', tar: 'application/vnd.oci.image.layer.v1.tar' };

/** An OCI manifest and config around the layer fixtures `files` (`blobs` their bytes); digests by
 * node, the diff_ids by sha256sum. */
function imageOf(files, blobs) {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: files.map((f) => layer(f).diff_id) } }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
      layers: files.map((f, i) => ({ mediaType: MEDIA_TYPES[f.split('.').at(-1)], digest: sha256(blobs[i]), size: blobs[i].length })),
    }),
  );
  return { manifest, config };
}
const imageAround = (file, blob) => imageOf([file], [blob]);

/** Every listed entry the page shows, in DOM order. */
function readFiles() {
  return [...document.querySelectorAll('[data-testid="layer-files"] [data-testid="layer-file"]')].map((row) => ({
    path: row.getAttribute('data-path'),
    kind: row.getAttribute('data-kind'),
    size: Number(row.getAttribute('data-size')),
    sha256: row.getAttribute('data-digest'),
    text: row.textContent,
  }));
}

async function waitForFiles(app, count) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    app.throwIfProblems();
    const rows = await app.page.evaluate(readFiles);
    const state = await app.page.getAttribute('[data-testid="layer-result"]', 'data-state');
    if (rows.length >= count && state === 'verified') return rows;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${count} listed files (state ${state}); the page lists ${JSON.stringify(rows.map((r) => r.path))}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens the manifest and config made around layer fixture `file`, then gives its blob as `blobName`. */
async function openLayer(app, file, blob, blobName, mimeType) {
  const { manifest, config } = imageAround(file, blob);
  await app.chooseFiles([
    { name: 'manifest.json', mimeType: 'application/json', buffer: manifest },
    { name: 'config.json', mimeType: 'application/json', buffer: config },
  ]);
  await app.waitForDigests(2);
  await app.until(() => app.page.setInputFiles('[data-testid="blob-files"]', [{ name: blobName, mimeType, buffer: blob }]), 'the blob input');
}

const byPath = (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

describe('the files of a layer', () => {
  const app = useApp();

  for (const file of ['umoci-a.tar.gz', 'python-pax.tar', 'skopeo-zstd-b.tar.zst']) {
    test(`${file}: one row per tar entry, as Python's tarfile lists it, with hashlib's sha256 per file`, async () => {
      const blob = await bytes(file);
      await openLayer(app(), file, blob, sha256(blob).slice(7), 'application/octet-stream');
      const want = layer(file).entries;
      const shown = await waitForFiles(app(), want.length);
      assert.deepEqual(
        shown.map(({ path, kind, size, sha256 }) => ({ path, kind, size: kind === 'file' ? size : 0, sha256 })).sort(byPath),
        want.map(({ path, kind, size, sha256 }) => ({ path, kind, size, sha256 })).sort(byPath),
      );
      for (const entry of want.filter((e) => e.path.split('/').at(-1).startsWith('.wh.'))) {
        const row = shown.find((r) => r.path === entry.path);
        assert.match(row.text, /deletes|hides everything/, `${entry.path} reads as a deletion`);
      }
    });
  }

  test('the filter box narrows the rows to matching paths', async () => {
    const file = 'python-pax.tar';
    const blob = await bytes(file);
    await openLayer(app(), file, blob, 'layer.tar', 'application/x-tar');
    await waitForFiles(app(), layer(file).entries.length);
    await app().page.fill('[data-testid="layer-files-filter"]', 'usr/bin');
    const wanted = layer(file).entries.filter((e) => e.path.includes('usr/bin')).map((e) => e.path).sort();
    await eventually(app(), async () => {
      const paths = (await app().page.evaluate(readFiles)).map((r) => r.path).sort();
      assert.deepEqual(paths, wanted);
    }, 'the filtered rows');
  });
});

describe("the image's filesystem", () => {
  const app = useApp();

  test('a real delete (umoci) hides the deleted bytes of the layer below', async () => {
    const files = ['umoci-a.tar.gz', 'umoci-delete.tar.gz'];
    const blobs = await Promise.all(files.map(bytes));
    const { manifest, config } = imageOf(files, blobs);
    await app().chooseFiles([
      { name: 'manifest.json', mimeType: 'application/json', buffer: manifest },
      { name: 'config.json', mimeType: 'application/json', buffer: config },
    ]);
    await app().waitForDigests(2);
    await app().until(
      () => app().page.setInputFiles('[data-testid="blob-files"]', blobs.map((b) => ({ name: sha256(b).slice(7), mimeType: 'application/octet-stream', buffer: b }))),
      'the blob input',
    );
    // What Python's tarfile says: the files of layer 0 that layer 1 deletes (etc/motd, var/lib).
    const base = layer('umoci-a.tar.gz').entries.filter((e) => e.kind === 'file');
    const deleted = base.filter((e) => e.path === 'app/etc/motd' || e.path.startsWith('app/var/lib/'));
    const sum = (entries) => entries.reduce((n, e) => n + e.size, 0);
    await eventually(app(), async () => {
      const shares = await app().page.$$eval('[data-testid="layer-share"]', (rows) =>
        rows.map((r) => ({ added: Number(r.getAttribute('data-added')), hidden: Number(r.getAttribute('data-hidden')) })),
      );
      assert.deepEqual(shares[0], { added: sum(base), hidden: sum(deleted) });
    }, 'the per-layer shares');
  });
});

describe('why two layers differ', () => {
  const app = useApp();
  const open = async (a, b) => {
    await app().chooseFilesIn('file-a', [{ name: a, mimeType: 'application/octet-stream', buffer: await bytes(a) }]);
    await app().chooseFilesIn('file-b', [{ name: b, mimeType: 'application/octet-stream', buffer: await bytes(b) }]);
  };

  test('umoci packing the same files at two times: only modification times differ, with the paths', async () => {
    await open('umoci-a.tar.gz', 'umoci-b.tar.gz');
    const verdict = await app().waitForVerdict('[data-testid="comparison"]', (v) => v.slug === 'mtimes-only', 'the mtimes verdict');
    assert.match(verdict.text, /only modification times differ/i);
    const paths = await app().page.$$eval('[data-testid="layer-reason-example"]', (rows) => rows.map((r) => r.getAttribute('data-path')));
    const files = layer('umoci-a.tar.gz').entries.map((e) => e.path);
    assert.ok(paths.length > 0 && paths.every((p) => files.includes(p)), `example paths ${paths} are entries of the layer`);
  });

  test('skopeo recompressing gzip to zstd: same content, different compression', async () => {
    await open('umoci-b.tar.gz', 'skopeo-zstd-b.tar.zst');
    const verdict = await app().waitForVerdict('[data-testid="comparison"]', (v) => v.slug === 'compression-only', 'the compression verdict');
    assert.match(verdict.text, /same content, different compression/i);
    assert.match(verdict.text, /gzip vs zstd/);
  });

  test('GNU tar with other owners: the owners are named as the difference', async () => {
    await open('gnu.tar', 'gnu-owner.tar');
    const verdict = await app().waitForVerdict('[data-testid="comparison"]', (v) => v.slug === 'tar-only', 'the tar-only verdict');
    assert.match(verdict.text, /owners/);
  });
});

/** Python's tarfile + hashlib over a (gzip) layer blob: each entry's path and each file's sha256. */
function tarfileListing(blob) {
  const script = `
import hashlib, io, json, sys, tarfile
out = []
with tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()), mode="r:*") as tf:
    for m in tf:
        name = m.name
        while name.startswith("./"):
            name = name[2:]
        name = name.rstrip("/") or "."
        digest = "sha256:" + hashlib.sha256(tf.extractfile(m).read()).hexdigest() if m.isreg() else None
        out.append({"path": name, "sha256": digest})
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: blob }).toString('utf8'));
}

describe('the files of layers downloaded from a registry', () => {
  // A port of this file's own range (5900-5999): other test files start registries on theirs.
  const port = Number(process.env.LAYER_FILES_REGISTRY_PORT ?? 5931);
  const app = useApp({ allowedOrigins: [`http://127.0.0.1:${port}`] });
  let registry;
  before(async () => {
    registry = await startRegistry({ port, mode: 'cors' });
  });
  after(async () => registry?.stop());

  test("demo/oci:1 (umoci, pushed by skopeo): each layer lists what Python's tarfile reads from the same blob", async () => {
    const get = async (path, accept) => {
      const res = await fetch(`${registry.origin}${path}`, { headers: accept ? { Accept: accept } : {} });
      assert.equal(res.status, 200, `GET ${path}`);
      return Buffer.from(await res.arrayBuffer());
    };
    const manifest = await get('/v2/demo/oci/manifests/1', OCI_MANIFEST);
    const doc = JSON.parse(manifest);
    const config = await get(`/v2/demo/oci/blobs/${doc.config.digest}`);
    const blobs = await Promise.all(doc.layers.map((l) => get(`/v2/demo/oci/blobs/${l.digest}`)));
    await app().chooseFiles([
      { name: 'manifest.json', mimeType: 'application/json', buffer: manifest },
      { name: 'config.json', mimeType: 'application/json', buffer: config },
    ]);
    await app().waitForDigests(2);
    await app().until(() => app().page.fill('[data-testid="blob-registry"]', `${registry.host}/demo/oci:1`), 'the registry box');
    await app().click('verify-layers');
    const want = blobs.map((b) => tarfileListing(b).sort(byPath));
    await eventually(app(), async () => {
      const shown = await app().page.$$eval('[data-testid="layer-result"][data-index]', (rows) =>
        rows.map((row) => ({
          state: row.getAttribute('data-state'),
          files: [...row.querySelectorAll('[data-testid="layer-files"] [data-testid="layer-file"]')].map((f) => ({
            path: f.getAttribute('data-path'),
            sha256: f.getAttribute('data-digest'),
          })),
        })),
      );
      assert.deepEqual(shown.map((r) => r.state), blobs.map(() => 'verified'));
      assert.deepEqual(shown.map((r) => r.files.sort(byPath)), want);
    }, 'every layer listed');
  });
});
