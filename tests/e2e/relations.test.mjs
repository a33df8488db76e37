// End-to-end: how the digests of one image relate, on real registry fixtures. A manifest's descriptors
// point at the config and layer blobs whose Docker-Content-Digest the registry sent; an index points at
// its platform manifests; a config lists the diff_ids that umoci recorded, and the chain IDs that follow
// from them by the image-spec formula (computed here with node's crypto).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useApp } from './lib/harness.mjs';
import { loadRegistryFixtures } from './lib/fixtures.mjs';
import { sha256 } from './lib/expected.mjs';

const registry = await loadRegistryFixtures();
const byRole = (role) => registry.files.filter((f) => f.role === role);
const layersOf = (dir) => byRole('layer').filter((l) => l.dir === dir).sort((a, b) => a.layerIndex - b.layerIndex);
const configOf = (dir) => byRole('config').find((c) => c.dir === dir);

/**
 * image-spec config.md, "Layer ChainID": ChainID(L₀) = DiffID(L₀) and
 * ChainID(L₀|…|Lₙ) = Digest(ChainID(L₀|…|Lₙ₋₁) + " " + DiffID(Lₙ)).
 */
function chainIds(diffIds) {
  const out = [];
  for (const diffId of diffIds) out.push(out.length ? sha256(Buffer.from(`${out.at(-1)} ${diffId}`)) : diffId);
  return out;
}

/** The digest written in an item's text (items may add words around it). */
const digestIn = (text) => /sha256:[0-9a-f]{64}/.exec(text)?.[0] ?? text;

describe('relations between the digests of an image', () => {
  const app = useApp();

  /** Chooses one fixture file and waits for its document. */
  async function open(fixture) {
    await app().chooseFiles([{ name: fixture.path, mimeType: 'application/json', buffer: fixture.bytes }]);
    const [doc] = await app().waitForDigests(1);
    return doc;
  }

  if (registry.files.length === 0) {
    test('registry fixtures relate', (t) => t.skip(registry.reason));
  }

  for (const manifest of byRole('manifest')) {
    const config = configOf(manifest.dir);
    const layers = layersOf(manifest.dir);
    test(`${manifest.path} points at its config and its layers in order`, { skip: !config && 'no config fixture' }, async () => {
      const doc = await open(manifest);
      assert.deepEqual(doc.descriptors, [
        { role: 'config', digest: config.registryDigest },
        ...layers.map((l) => ({ role: 'layer', digest: l.registryDigest })),
      ]);
    });
  }

  for (const index of byRole('index')) {
    const platforms = byRole('manifest').filter((m) => m.dir.startsWith(`${index.dir}/`));
    test(`${index.path} points at the manifest of each platform`, async () => {
      const doc = await open(index);
      assert.ok(doc.descriptors.every((d) => d.role === 'manifest'), JSON.stringify(doc.descriptors));
      assert.deepEqual(doc.descriptors.map((d) => d.digest).sort(), platforms.map((m) => m.registryDigest).sort());
    });
  }

  for (const config of byRole('config')) {
    const diffIds = layersOf(config.dir).map((l) => l.diffId);
    test(`${config.path} lists the diff_ids of its layers and their chain IDs in order`, { skip: diffIds.includes(null) && 'no diff_id recorded' }, async () => {
      const doc = await open(config);
      assert.deepEqual(doc.diffIds.map(digestIn), diffIds);
      assert.deepEqual(doc.chainIds.map(digestIn), chainIds(diffIds));
    });
  }
});
