// End-to-end: the image's files. A person loads a manifest and config, verifies every layer from the
// registry, and the page shows the merged filesystem: each path with the layer that last wrote it,
// deleted paths absent, and on request what each layer removed or wrote again.
//
// The images are real: demo/delete:1 (three umoci layers that delete, rewrite and replace paths) and
// demo/opaque:1 (buildah's overlay driver writing an opaque directory), pushed by scripts/make-images
// from tests/fixtures/merged. What their merged filesystem is comes from scripts/oci-merge (Python's
// tarfile applying the OCI whiteout rules) over the blobs this test downloads itself.
//
// The registry is scripts/test's (E2E_REGISTRY) or one started here on IMAGE_FILES_REGISTRY_PORT.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, eventually, useApp } from './lib/harness.mjs';
import { startRegistry } from './lib/registries.mjs';

const run = promisify(execFile);
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** scripts/oci-merge over `blobs` (bottom layer first), written to a scratch directory. */
async function pythonMerge(blobs) {
  const dir = await mkdtemp(join(tmpdir(), 'digestlens-image-files-'));
  try {
    const files = await Promise.all(
      blobs.map(async (blob, i) => {
        const file = join(dir, `layer-${i}`);
        await writeFile(file, blob);
        return file;
      }),
    );
    const { stdout } = await run(join(REPO_ROOT, 'scripts/oci-merge'), files, { maxBuffer: 1 << 24 });
    return JSON.parse(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const byPath = (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

describe("the image's files, from a registry", () => {
  let registry;
  const ownPort = Number(process.env.IMAGE_FILES_REGISTRY_PORT ?? 5947);
  const host = process.env.E2E_REGISTRY ?? `127.0.0.1:${ownPort}`;
  const app = useApp({ allowedOrigins: [`http://${host}`] });
  before(async () => {
    if (!process.env.E2E_REGISTRY) registry = await startRegistry({ port: ownPort, mode: 'cors' });
  });
  after(async () => registry?.stop());

  /** GETs a path of the registry from node (not the page). */
  async function get(path, accept) {
    const res = await fetch(`http://${host}${path}`, { headers: accept ? { Accept: accept } : {} });
    assert.equal(res.status, 200, `GET ${path}`);
    return Buffer.from(await res.arrayBuffer());
  }

  /** Loads `repo`:1's manifest and config as files, verifies its layers from the registry, and
   * returns the blobs node downloaded. */
  async function verifyAll(repo) {
    const manifest = await get(`/v2/${repo}/manifests/1`, OCI_MANIFEST);
    const doc = JSON.parse(manifest);
    const config = await get(`/v2/${repo}/blobs/${doc.config.digest}`);
    const blobs = await Promise.all(doc.layers.map((l) => get(`/v2/${repo}/blobs/${l.digest}`)));
    await app().chooseFiles([
      { name: 'manifest.json', mimeType: 'application/json', buffer: manifest },
      { name: 'config.json', mimeType: 'application/json', buffer: config },
    ]);
    await app().waitForDigests(2);
    await app().until(() => app().page.fill('[data-testid="blob-registry"]', `${host}/${repo}:1`), 'the registry box');
    await app().click('verify-layers');
    await eventually(app(), async () => {
      const states = await app().page.$$eval('[data-testid="layer-result"][data-index]', (rows) => rows.map((r) => r.getAttribute('data-state')));
      assert.deepEqual(states, blobs.map(() => 'verified'));
    }, 'every layer verified');
    return { doc, blobs };
  }

  const shownPaths = () =>
    app().page.$$eval('[data-testid="image-files"] [data-testid="image-file"]', (rows) =>
      rows.map((r) => ({ path: r.getAttribute('data-path'), layer: Number(r.getAttribute('data-layer')) })),
    );
  const shownRemoved = () =>
    app().page.$$eval('[data-testid="image-files-removed"] [data-testid="image-file-removed"]', (rows) =>
      rows.map((r) => ({
        path: r.getAttribute('data-path'),
        layer: Number(r.getAttribute('data-layer')),
        by: Number(r.getAttribute('data-by')),
        how: r.getAttribute('data-how'),
      })),
    );

  for (const [repo, absent, removedHow] of [
    ['demo/delete', ['etc/motd-hard', 'var/lib', 'var/lib/data.bin', 'opt/tool/README'], 'deleted'],
    ['demo/opaque', ['d/a', 'd/sub', 'd/sub/b'], 'opaque'],
  ]) {
    test(`${repo}:1 — each path is marked with the layer Python's tarfile says last wrote it; deleted paths are absent`, async () => {
      const { blobs } = await verifyAll(repo);
      const python = await pythonMerge(blobs);
      const want = Object.entries(python.paths).map(([path, p]) => ({ path, layer: p.layer })).sort(byPath);
      const shown = await eventually(app(), async () => {
        const rows = (await shownPaths()).sort(byPath);
        assert.deepEqual(rows, want);
        return rows;
      }, 'the merged tree');
      for (const path of absent) {
        assert.ok(!shown.some((r) => r.path === path), `${path} is deleted and not shown`);
      }

      await app().page.check('[data-testid="image-files-show-removed"]');
      const removed = await eventually(app(), async () => {
        const rows = (await shownRemoved()).sort(byPath);
        assert.deepEqual(rows, [...python.gone].map(({ path, layer, by, how }) => ({ path, layer, by, how })).sort(byPath));
        return rows;
      }, 'the removed paths');
      for (const path of absent) {
        assert.equal(removed.find((r) => r.path === path)?.how, removedHow, `${path} reads as ${removedHow}`);
      }

      await app().page.fill('[data-testid="image-files-filter"]', absent[0].split('/')[0]);
      await eventually(app(), async () => {
        const rows = await shownPaths();
        assert.ok(rows.length > 0 && rows.every((r) => r.path.includes(absent[0].split('/')[0])), JSON.stringify(rows));
      }, 'the filtered tree');
    });
  }
});
