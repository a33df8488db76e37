// End-to-end smoke suite in every engine people use: Chromium (Blink), Firefox ESR (Gecko, over WebDriver
// BiDi) and WebKitGTK (WebKit, over WebDriver). The main paths a person takes — an example, a paste, a
// file, a link, a fetch from a registry and its layer downloads, verifying dropped layer blobs, comparing
// two documents — each show the digests that sources outside our code give: static/examples/examples.json,
// node's crypto over the exact bytes, the Docker-Content-Digest of a real registry (Debian's
// docker-registry, distribution 2.8.2, read with node's fetch; its fixtures in tests/fixtures/registry)
// and the diff_ids umoci wrote.
// WebKit has no ReadableStreamBYOBReader, so there layers (files and downloads) go through the page's
// default-reader fallback.
//
// An engine that is not installed fails its suite (scripts/setup --with-tests installs all three).
// The registry is scripts/test's (E2E_REGISTRY, CORS mode) or one started here on E2E_ENGINES_REGISTRY_PORT
// (default 6050).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { ENGINES, launchEngine } from './lib/engines.mjs';
import { REPO_ROOT, startAppServer } from './lib/harness.mjs';
import { sha256, utf8 } from './lib/expected.mjs';
import { REGISTRY_FIXTURES, loadRegistryFixtures } from './lib/fixtures.mjs';
import { MANIFEST_ACCEPT, startRegistry } from './lib/registries.mjs';
import { OCI_MANIFEST } from './lib/samples.mjs';

const EXAMPLES = JSON.parse(readFileSync(join(REPO_ROOT, 'static/examples/examples.json'), 'utf8'));
const fixtures = await loadRegistryFixtures();
assert.ok(fixtures.files.length > 0, fixtures.reason ?? 'registry fixtures present');
const fixture = (path) => fixtures.files.find((f) => f.path === path);
/** Where a fixture's bytes are on disk, for the engines' own file upload. */
const fixturePath = (f) => resolve(REGISTRY_FIXTURES, '..', f.path);

/** A pasted manifest with non-ASCII text: its UTF-8 bytes are what every engine must hash. */
const PASTED = OCI_MANIFEST.replace('example.invalid/app', 'example.invalid/caf\u00e9-\u{1F433}');

/** Long enough for the slowest engine on a busy machine, still far below the per-engine budget. */
const WAIT = 30000;

const registry = process.env.E2E_REGISTRY
  ? { host: process.env.E2E_REGISTRY, origin: `http://${process.env.E2E_REGISTRY}`, stop: async () => {} }
  : await startRegistry({ port: Number(process.env.E2E_ENGINES_REGISTRY_PORT ?? 6050), mode: 'cors' });
after(() => registry.stop());

/**
 * What the registry says about `repository:tag`, read with node's fetch: the manifest's Docker-Content-Digest,
 * the config and layer digests it names, and the config's diff_ids.
 */
async function registryImage(repository, tag) {
  const res = await fetch(`${registry.origin}/v2/${repository}/manifests/${tag}`, { headers: { accept: MANIFEST_ACCEPT } });
  assert.equal(res.status, 200, `the registry holds ${repository}:${tag}`);
  const manifest = JSON.parse(Buffer.from(await res.arrayBuffer()).toString('utf8'));
  const config = await fetch(`${registry.origin}/v2/${repository}/blobs/${manifest.config.digest}`).then((r) => r.json());
  return {
    manifest: res.headers.get('docker-content-digest'),
    config: manifest.config.digest,
    layers: manifest.layers.map((l, index) => ({ index, state: 'verified', digest: l.digest, diffId: config.rootfs.diff_ids[index] })),
  };
}

/**
 * A link in format v1 built with node's zlib (src/core/permalink.rs): container records of tag varint,
 * length varint, value; a document (tag 2) holds its name (tag 2) and bytes (tag 4).
 */
function linkFragment(documents) {
  const varint = (n) => {
    const out = [];
    for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n & 0x7f) | 0x80);
    out.push(n);
    return Buffer.from(out);
  };
  const record = (tag, value) => Buffer.concat([varint(tag), varint(value.length), value]);
  const container = Buffer.concat(
    documents.map((d) => record(2, Buffer.concat([record(2, Buffer.from(d.name)), record(4, d.bytes)]))),
  );
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32LE(crc32(container));
  return `v1.${Buffer.concat([deflateRawSync(container), trailer]).toString('base64url')}`;
}

// ---- what the page shows, read in the page (each runs in the engine) ----

function shownDigests() {
  return [...document.querySelectorAll('[data-testid="document"]')].map(
    (d) => d.querySelector('[data-testid="digest"]')?.textContent.trim() ?? null,
  );
}

function shownLayerRows() {
  return [...document.querySelectorAll('[data-testid="layer-result"][data-index]')].map((row) => ({
    index: Number(row.getAttribute('data-index')),
    state: row.getAttribute('data-state'),
    digest: row.querySelector('[data-testid="measured-digest"]')?.textContent.trim() ?? null,
    diffId: row.querySelector('[data-testid="measured-diff-id"]')?.textContent.trim() ?? null,
  }));
}

/** The states a layer row ends in. */
const SETTLED = ['verified', 'mismatch', 'error', 'cancelled'];

/** Opens the folded document card that holds `selector`, as a user clicks the card's line first. */
function openCardHolding(selector) {
  const card = document.querySelector(selector)?.closest('[data-testid="document"]');
  card?.querySelector(':scope > header [data-testid="card-toggle"][aria-expanded="false"]')?.click();
}

function shownComparison() {
  const verdict = document.querySelector('[data-testid="comparison"] [data-testid="verdict"]');
  const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent.trim() ?? null;
  return { verdict: verdict?.getAttribute('data-verdict') ?? null, a: text('digest-a'), b: text('digest-b') };
}

/** Sets the paste box's value and fires one input event, as a paste does. */
function pasteText(text) {
  const area = document.querySelector('[data-testid="paste"]');
  area.focus();
  area.value = text;
  area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
}

const sameSet = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

for (const engine of ENGINES) {
  describe(`the main paths in ${engine}`, () => {
    let server;
    let browser;
    let page;
    before(async () => {
      server = await startAppServer();
      // Kept, not thrown: a failing hook only cancels the tests, and a missing engine must fail each one.
      browser = await launchEngine(engine).catch((err) => ({ failed: err }));
    });
    after(async () => {
      await browser?.close?.();
      await server?.close();
    });

    /**
     * A test on a fresh page of this engine; the page's watchdog is checked when the test ends (and
     * does not hide the test's own failure).
     */
    const smoke = (name, body) =>
      test(name, async (t) => {
        if (browser.failed) throw browser.failed;
        page = await browser.open(server.origin, { allowedOrigins: [registry.origin] });
        let passed = false;
        try {
          await body(t);
          passed = true;
        } finally {
          const current = page;
          page = undefined;
          await current.close().catch((err) => {
            if (passed) throw err;
          });
        }
      });

    const waitForDigests = (expected, what) =>
      page.waitFor(shownDigests, null, (shown) => sameSet(shown, expected), what, WAIT);

    smoke('an example shows the digests examples.json records', async (t) => {
      t.diagnostic(`${engine} ${browser.version}`);
      const [set] = EXAMPLES.sets;
      await page.click(`[data-testid="example"][data-example="${set.id}"]`);
      await waitForDigests(set.files.map((f) => f.digest), `the ${set.id} example's recorded digests`);
    });

    smoke("a pasted manifest's digest is the sha256 of its UTF-8 bytes", async () => {
      await page.evaluate(pasteText, PASTED);
      await waitForDigests([sha256(utf8(PASTED))], 'the digest of the pasted text');
    });

    smoke('files opened with the file chooser show the registry digests', async () => {
      const files = ['demo-multi/index.json', 'demo-multi/linux-arm64/manifest.json', 'demo-multi/linux-arm64/config.json'].map(fixture);
      await page.chooseFiles('[data-testid="file"]', files.map(fixturePath));
      await waitForDigests(files.map((f) => f.registryDigest), "the files' registry digests");
    });

    smoke('a link opens with the registry digests of the documents it carries', async () => {
      const docs = ['demo-oci/manifest.json', 'demo-oci/config.json'].map(fixture);
      const fragment = linkFragment(docs.map((f) => ({ name: f.path, bytes: f.bytes })));
      await page.close();
      page = await browser.open(server.origin, { path: `/#${fragment}`, allowedOrigins: [registry.origin] });
      await waitForDigests(docs.map((f) => f.registryDigest), "the link's documents");
    });

    smoke('a fetch from the registry shows its Docker-Content-Digest, and the layers it downloads verify', async () => {
      const expected = await registryImage('demo/oci', '1');
      await page.typeAndEnter('[data-testid="reference"]', `${registry.host}/demo/oci:1`);
      await waitForDigests([expected.manifest, expected.config], 'the fetched manifest and config');
      await page.waitFor(() => document.querySelector('[data-testid="verify-layers"]') !== null, null, Boolean, 'the layer panel', WAIT);
      await page.evaluate(openCardHolding, '[data-testid="verify-layers"]');
      await page.click('[data-testid="verify-layers"]');
      const rows = await page.waitFor(
        shownLayerRows,
        null,
        (rs) => rs.length > 0 && rs.every((r) => SETTLED.includes(r.state)),
        'the downloaded layers to be checked',
        WAIT,
      );
      assert.deepEqual(rows, expected.layers);
    });

    smoke("dropped layer blobs verify against the manifest's digests and the config's diff_ids", async (t) => {
      const byob = await page.evaluate(() => typeof ReadableStreamBYOBReader !== 'undefined');
      t.diagnostic(byob ? 'layers read with a BYOB reader' : 'no ReadableStreamBYOBReader: layers read with the default reader');
      const [manifest, config] = ['demo-oci/manifest.json', 'demo-oci/config.json'].map(fixture);
      const layers = fixtures.files.filter((f) => f.dir === 'demo-oci' && f.role === 'layer').sort((a, b) => a.layerIndex - b.layerIndex);
      await page.chooseFiles('[data-testid="file"]', [manifest, config].map(fixturePath));
      await waitForDigests([manifest.registryDigest, config.registryDigest], 'the manifest and config');
      await page.waitFor(() => document.querySelector('[data-testid="blob-files"]') !== null, null, Boolean, 'the layer panel', WAIT);
      await page.chooseFiles('[data-testid="blob-files"]', layers.map(fixturePath));
      const rows = await page.waitFor(
        shownLayerRows,
        null,
        (rs) => rs.length === layers.length && rs.every((r) => SETTLED.includes(r.state)),
        'every layer to be checked',
        WAIT,
      );
      assert.deepEqual(
        rows,
        layers.map((l) => ({ index: l.layerIndex, state: 'verified', digest: l.registryDigest, diffId: l.diffId })),
      );
    });

    smoke('an OCI manifest compared with its skopeo --format v2s2 copy is named a conversion', async () => {
      const [oci, docker] = ['demo-oci/manifest.json', 'demo-docker/manifest.json'].map(fixture);
      await page.chooseFiles('[data-testid="file-a"]', [fixturePath(oci)]);
      await page.chooseFiles('[data-testid="file-b"]', [fixturePath(docker)]);
      const shown = await page.waitFor(shownComparison, null, (c) => c.verdict === 'converted', 'the verdict "converted"', WAIT);
      assert.deepEqual(shown, { verdict: 'converted', a: oci.registryDigest, b: docker.registryDigest });
    });
  });
}
