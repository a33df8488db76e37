// End-to-end: the relationship map. A person loads the documents of one image family as files and sees
// one picture linking them by digest. Expected values come from outside the page: the registry's
// Docker-Content-Digest and the diff_ids / chain_ids that scripts/make-fixtures recorded with sha256sum in
// tests/fixtures/registry/fixtures.json, and digests node's crypto computes over bytes this test writes.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { useApp } from './lib/harness.mjs';
import { REGISTRY_FIXTURES, loadRegistryFixtures } from './lib/fixtures.mjs';
import { sha256 } from './lib/expected.mjs';

const registry = await loadRegistryFixtures();
const recorded = registry.files.length ? JSON.parse(await readFile(REGISTRY_FIXTURES, 'utf8')) : { files: [] };
const chainIdsOf = (path) => recorded.files.find((f) => f.path === path)?.chain_ids ?? null;
const fixture = (path) => registry.files.find((f) => f.path === path);
const asFile = (f) => ({ name: f.path, mimeType: 'application/json', buffer: f.bytes });
const PLATFORMS = [
  ['linux-amd64', 'linux/amd64'],
  ['linux-arm64', 'linux/arm64'],
  ['linux-arm-v7', 'linux/arm/v7'],
];

/** The index, each platform manifest and each config of a family directory, as the registry served them. */
function familyFiles(dir) {
  return [
    fixture(`${dir}/index.json`),
    ...PLATFORMS.flatMap(([p]) => [fixture(`${dir}/${p}/manifest.json`), fixture(`${dir}/${p}/config.json`)]),
  ];
}

const layersOf = (dir) =>
  registry.files.filter((f) => f.role === 'layer' && f.dir === dir).sort((a, b) => a.layerIndex - b.layerIndex);

/** Runs in the page: the map's nodes and edges by their data attributes. */
function readMap() {
  const data = (e) => ({ ...e.dataset });
  return {
    nodes: [...document.querySelectorAll('[data-testid="map-node"]')].map((n) => ({
      ...data(n),
      // What a screen reader hears after the visible name: the node's description.
      label: n.getAttribute('aria-description'),
      tabindex: n.getAttribute('tabindex'),
    })),
    edges: [...document.querySelectorAll('[data-testid="map-edge"]')].map(data),
    more: [...document.querySelectorAll('[data-testid="map-more"]')].map((m) => m.getAttribute('aria-label')),
  };
}

describe('the relationship map', () => {
  const app = useApp();

  /** Polls the map until `accept(map)` holds; fails with what it showed. */
  async function waitForMap(accept, what) {
    const deadline = Date.now() + 15000;
    let map;
    for (;;) {
      app().throwIfProblems();
      map = await app().page.evaluate(readMap);
      if (accept(map)) return map;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; the map shows ${JSON.stringify(map, null, 1).slice(0, 4000)}`);
      }
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  const nodeCount = (n) => (map) => map.nodes.length === n;

  async function ask(text) {
    await app().page.fill('[data-testid="which"]', text);
    return (await app().page.locator('[data-testid="which-answer"]').textContent()).trim();
  }

  if (registry.files.length === 0) {
    test('registry fixtures make a map', (t) => t.skip(registry.reason));
    return;
  }

  for (const dir of ['demo-multi', 'demo-multi-docker']) {
    test(`${dir}: index, manifests and configs link by the registry's digests`, async () => {
      const files = familyFiles(dir);
      await app().chooseFiles(files.map(asFile));
      // 1 index + 3 × (manifest + config + 2 layers + 2 diff_ids + 2 chain IDs)
      const map = await waitForMap(nodeCount(1 + 3 * 8), 'the whole family on the map');
      const node = (digest, kind) => map.nodes.find((n) => n.digest === digest && n.kind === kind);
      const edge = (label, from, to) => map.edges.some((e) => e.label === label && e.from === from && e.to === to);

      const index = fixture(`${dir}/index.json`).registryDigest;
      assert.equal(node(index, 'index')?.state, 'resolved');
      for (const [p, platform] of PLATFORMS) {
        const manifest = fixture(`${dir}/${p}/manifest.json`).registryDigest;
        const config = fixture(`${dir}/${p}/config.json`).registryDigest;
        assert.equal(node(manifest, 'manifest')?.state, 'resolved', platform);
        assert.match(node(manifest, 'manifest').label, new RegExp(`^${platform} manifest, ${manifest}`));
        assert.ok(edge('lists', index, manifest), `index lists ${platform}`);
        assert.equal(node(config, 'config')?.state, 'resolved');
        assert.ok(edge('config', manifest, config), `${platform} config`);
        const layers = layersOf(`${dir}/${p}`);
        const chainIds = chainIdsOf(`${dir}/${p}/config.json`);
        assert.equal(chainIds.length, layers.length);
        layers.forEach((layer, i) => {
          assert.equal(node(layer.registryDigest, 'layer')?.state, 'not-loaded', `${platform} layer ${i}`);
          assert.ok(edge('layer', manifest, layer.registryDigest), `${platform} layer ${i}`);
          assert.equal(node(layer.diffId, 'diff-id')?.state, 'derived');
          assert.ok(edge('diff_id', config, layer.diffId), `${platform} diff_id ${i}`);
          assert.equal(node(chainIds[i], 'chain-id')?.state, 'derived');
          assert.ok(edge('chain', layer.diffId, chainIds[i]), `${platform} chain ID ${i}`);
        });
        assert.ok(edge('chain', chainIds[0], chainIds[1]), `${platform}: chain ID 1 is made from chain ID 0`);
      }
      assert.ok(map.nodes.every((n) => n.tabindex === '0'), 'every box is focusable');
    });
  }

  test('the map follows the paste box as the text is edited', async () => {
    const first = '{"schemaVersion": 2, "manifests": []}';
    const second = '{"schemaVersion": 2, "manifests": [] }';
    for (const text of [first, second]) {
      await app().paste(text);
      const digest = sha256(Buffer.from(text));
      await app().until(
        () => app().page.locator(`[data-testid="map-node"][data-digest="${digest}"]`).waitFor(),
        `a map node for the pasted text's digest ${digest}`,
      );
    }
  });

  test('layer blobs given as files resolve their descriptors', async () => {
    const files = ['demo-oci/manifest.json', 'demo-oci/config.json', 'demo-oci/layer-0.tar.gz', 'demo-oci/layer-1.tar.gz'];
    await app().chooseFiles(files.map((p) => asFile(fixture(p))));
    const map = await waitForMap(nodeCount(1 + 1 + 2 * 3), 'the image with its layers');
    for (const layer of layersOf('demo-oci')) {
      assert.equal(map.nodes.find((n) => n.digest === layer.registryDigest)?.state, 'resolved');
    }
  });

  test('a descriptor declaring the wrong size is drawn in red with both sizes', async () => {
    const served = fixture('demo-multi/index.json');
    const arm64 = fixture('demo-multi/linux-arm64/manifest.json');
    const crafted = JSON.parse(served.bytes.toString('utf8'));
    assert.equal(crafted.manifests[1].digest, arm64.registryDigest);
    crafted.manifests[1].size = arm64.size - 1;
    await app().chooseFiles([
      { name: 'crafted-index.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(crafted)) },
      asFile(arm64),
    ]);
    const map = await waitForMap((m) => m.nodes.some((n) => n.state === 'mismatch'), 'a mismatch');
    assert.deepEqual(
      map.nodes.filter((n) => n.state === 'mismatch').map((n) => n.digest),
      [arm64.registryDigest],
    );
    const box = app().page.locator(`[data-testid="map-node"][data-state="mismatch"]`);
    const [stroke, error] = await box.evaluate((g) => [
      getComputedStyle(g.querySelector('rect')).stroke,
      getComputedStyle(document.documentElement).getPropertyValue('--error').trim(),
    ]);
    const rgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
    assert.equal(stroke, rgb(error), 'the box is outlined in the error colour');
    await box.click();
    const said = await app().page.locator('[data-testid="map-mismatches"]').textContent();
    assert.match(said, new RegExp(`declares size ${arm64.size - 1} bytes, but the loaded document with this digest is ${arm64.size} bytes`));
  });

  test('which digest is this: every digest of the family by its place', async () => {
    await app().chooseFiles(familyFiles('demo-multi').map(asFile));
    await waitForMap(nodeCount(25), 'the family');
    const index = fixture('demo-multi/index.json').registryDigest;
    assert.match(await ask(index), /the index digest \(multi-platform\)/);
    const kindsOf = () =>
      app().page.locator('[data-testid="which-match"]').evaluateAll((l) => l.map((e) => [e.dataset.kind, e.dataset.digest]));
    assert.deepEqual(await kindsOf(), [['index', index]]);

    const arm64 = fixture('demo-multi/linux-arm64/manifest.json').registryDigest;
    assert.match(await ask(arm64), /the linux\/arm64 manifest digest/);
    const imageId = fixture('demo-multi/linux-amd64/config.json').registryDigest;
    // docker images prints the Image ID's first 12 hex characters.
    assert.match(await ask(imageId.slice(7, 19)), /the config digest = Image ID of linux\/amd64/);
    assert.deepEqual(await kindsOf(), [['config', imageId]]);
    const layer1 = layersOf('demo-multi/linux-arm-v7')[1];
    assert.match(await ask(layer1.registryDigest), /layer 1's blob digest .* of linux\/arm\/v7 \(listed, not loaded\)/);
    assert.match(await ask(layer1.diffId), /layer 1's diff_id \(sha256 of the uncompressed tar\) of linux\/arm\/v7/);
    const chain1 = chainIdsOf('demo-multi/linux-arm64/config.json')[1];
    assert.match(await ask(chain1), /the chain ID of layers 0\.\.1 of linux\/arm64/);

    // A match selects its box: the details show the same digest with a copy button.
    await ask(arm64);
    await app().page.locator('[data-testid="which-match"] button').first().click();
    assert.equal(await app().page.locator('[data-testid="map-detail-digest"]').textContent(), arm64);
    assert.equal(await app().page.locator('[data-testid="map-details"] button.copy').first().getAttribute('aria-label'), `Copy ${arm64}`);
    assert.deepEqual(await app().texts('which-digest'), [arm64], 'the answer shows the digest whole, copyable');
  });

  test('which digest is this: other bytes of a loaded document, or nothing loaded', async () => {
    await app().chooseFiles(familyFiles('demo-multi').map(asFile));
    await waitForMap(nodeCount(25), 'the family');
    const served = fixture('demo-multi/index.json');
    // The same index pretty-printed as `jq .` does (2-space indent, final newline), hashed by node.
    const pretty = sha256(Buffer.from(`${JSON.stringify(JSON.parse(served.bytes.toString('utf8')), null, 2)}\n`));
    const answer = await ask(pretty);
    assert.match(answer, /None of the digests on the map/);
    assert.match(answer, /It is the digest of demo-multi\/index\.json pretty-printed with a 2-space indent/);
    assert.match(await ask(sha256(Buffer.from('not in this family'))), /It is none of the 22 digests on this map/);
    assert.match(await ask('abc'), /too short to name one digest/);
  });

  test('a box opens its details, raw JSON and commands by click or by keyboard', async () => {
    await app().chooseFiles(familyFiles('demo-multi').map(asFile));
    await waitForMap(nodeCount(25), 'the family');
    const config = fixture('demo-multi/linux-arm64/config.json');
    const box = app().page.locator(`[data-testid="map-node"][data-kind="config"][data-digest="${config.registryDigest}"]`);
    await box.focus();
    await app().page.keyboard.press('Enter');
    const details = app().page.locator('[data-testid="map-details"]');
    assert.equal(await details.getAttribute('data-digest'), config.registryDigest);
    assert.equal(await app().page.locator('[data-testid="map-raw"]').textContent(), config.bytes.toString('utf8'));
    assert.match(await details.textContent(), /docker inspect --format '\{\{\.Id\}\}' IMAGE/);
    assert.equal(await box.getAttribute('aria-pressed'), 'true');

    // A layer blob shows its diff_id beside it, and why they differ.
    const layer = layersOf('demo-multi/linux-arm64')[0];
    await app().page.locator(`[data-testid="map-node"][data-digest="${layer.registryDigest}"]`).click();
    assert.equal(await app().page.locator('[data-testid="pair-blob"]').textContent(), layer.registryDigest);
    assert.equal(await app().page.locator('[data-testid="pair-diff-id"]').textContent(), layer.diffId);
    assert.match(await app().page.locator('[data-testid="layer-pair"]').textContent(), /Recompressing a layer .* never the diff_id/);
  });

  test('a manifest whose layers and its config\'s diff_ids differ in number is warned about', async () => {
    const manifest = JSON.parse(fixture('demo-oci/manifest.json').bytes.toString('utf8'));
    manifest.layers.pop();
    await app().chooseFiles([
      { name: 'one-layer.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(manifest)) },
      asFile(fixture('demo-oci/config.json')),
    ]);
    await waitForMap((m) => m.nodes.length > 0, 'the map');
    const warning = await app().page.locator('[data-testid="map-warnings"]').textContent();
    assert.match(warning, /lists 1 layer\(s\) but its config lists 2 diff_id\(s\)/);
  });

  test('the same file twice is one box', async () => {
    const manifest = fixture('demo-oci/manifest.json');
    await app().chooseFiles([asFile(manifest), { ...asFile(manifest), name: 'again.json' }]);
    const map = await waitForMap((m) => m.nodes.length > 0, 'the map');
    assert.equal(map.nodes.filter((n) => n.digest === manifest.registryDigest).length, 1);
  });

  test('an index of 1,000 entries folds beyond 12 and shows them all on request', async () => {
    const entries = Array.from({ length: 1000 }, (_, i) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256(Buffer.from(`platform ${i}`)),
      size: 500,
      platform: { os: 'linux', architecture: `arch${i}` },
    }));
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries };
    await app().chooseFiles([{ name: 'big-index.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(index)) }]);
    const folded = await waitForMap(nodeCount(13), 'the folded index');
    assert.deepEqual(folded.more, ['+988 more entries: show them']);
    await app().page.click('[data-testid="map-more"]');
    const open = await waitForMap(nodeCount(1001), 'every entry');
    assert.equal(open.edges.filter((e) => e.label === 'lists').length, 1000 + 1, 'one edge per entry, one to the fold box');
    assert.ok(open.nodes.slice(1).every((n) => n.state === 'not-loaded'));
  });
});
