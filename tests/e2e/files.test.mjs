// End-to-end: a person chooses or drops files and each becomes its own document hashed as raw bytes,
// whatever they contain (CRLF, a BOM, invalid UTF-8, more than 4 MiB). Expected digests come from node's
// crypto over the same buffers, or from a real registry's Docker-Content-Digest in the fixtures.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useApp } from './lib/harness.mjs';
import { FOUR_MIB, sha256 } from './lib/expected.mjs';
import { CONFIG_KINDS, KIND_OF_MEDIA_TYPE, loadRegistryFixtures } from './lib/fixtures.mjs';
import { BOM, CRLF, INVALID_UTF8, OCI_MANIFEST, OVER_FOUR_MIB, json, jsonOfSize } from './lib/samples.mjs';

const registry = await loadRegistryFixtures();


/** Gives `files` to the page one way or another and returns the documents once each has a digest. */
async function analyse(app, files, give = (a, f) => a.chooseFiles(f)) {
  await give(app, files);
  return app.waitForDigests(files.length);
}

/** Each file's digest and size as the page shows them, keyed by the digest node computed. */
function assertHashedAsRawBytes(docs, files) {
  const shown = docs.map((d) => ({ bytesDigest: d.bytesDigest, digest: d.digest, bytes: d.bytes })).sort(byDigest);
  const expected = files
    .map((f) => ({ bytesDigest: sha256(f.buffer), digest: sha256(f.buffer), bytes: f.buffer.length }))
    .sort(byDigest);
  assert.deepEqual(shown, expected);
}
const byDigest = (a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);

describe('choosing and dropping files', () => {
  const app = useApp();

  for (const [what, file] of [
    ['CRLF line endings', CRLF],
    ['a UTF-8 byte order mark', BOM],
    ['invalid UTF-8', INVALID_UTF8],
  ]) {
    test(`a file with ${what} is hashed as its raw bytes`, async () => {
      const docs = await analyse(app(), [file]);
      assertHashedAsRawBytes(docs, [file]);
      assert.notEqual(docs[0].digest, sha256(Buffer.from(OCI_MANIFEST)), 'not hashed after normalising');
    });
  }

  test('a CRLF manifest is still recognised as an OCI manifest', async () => {
    const [doc] = await analyse(app(), [CRLF]);
    assert.equal(doc.kind, 'oci-manifest');
  });

  test('several files chosen at once become one document each', async () => {
    const files = [CRLF, BOM, INVALID_UTF8];
    const docs = await analyse(app(), files);
    assertHashedAsRawBytes(docs, files);
  });

  test('files dropped onto the page become one document each', async () => {
    const files = [json('plain.json', Buffer.from(OCI_MANIFEST)), INVALID_UTF8];
    const docs = await analyse(app(), files, (a, f) => a.dropFiles(f));
    assertHashedAsRawBytes(docs, files);
  });

  test('a file of 4 MiB + 1 byte is hashed and flagged as too large', async () => {
    const big = json('big.json', Buffer.from(jsonOfSize(OVER_FOUR_MIB)));
    const docs = await analyse(app(), [big]);
    assertHashedAsRawBytes(docs, [big]);
    assert.match(docs[0].findingsText, /4\s*MiB/i);
  });

  test('a file of exactly 4 MiB is hashed and not flagged', async () => {
    const limit = json('limit.json', Buffer.from(jsonOfSize(FOUR_MIB)));
    const docs = await analyse(app(), [limit]);
    assertHashedAsRawBytes(docs, [limit]);
    assert.doesNotMatch(docs[0].findingsText, /4\s*MiB/i);
  });

  // Registry fixtures: manifests, indexes, configs and signed schema1 manifests one by one, each image's
  // layer blobs together. The expected digest is the one the registry sent, not one we computed.
  const documents = registry.files.filter((f) => f.role !== 'layer');
  const layersByImage = new Map();
  for (const layer of registry.files.filter((f) => f.role === 'layer')) {
    layersByImage.set(layer.dir, [...(layersByImage.get(layer.dir) ?? []), layer]);
  }
  if (registry.files.length === 0) {
    test("registry fixtures show the registry's Docker-Content-Digest", (t) => t.skip(registry.reason));
  }
  for (const fixture of documents) {
    test(`registry ${fixture.role} ${fixture.path} shows the registry's Docker-Content-Digest`, async () => {
      const [doc] = await analyse(app(), [json(fixture.path, fixture.bytes)]);
      assert.equal(doc.digest, fixture.registryDigest);
      assert.equal(doc.bytesDigest, sha256(fixture.bytes));
      assert.equal(doc.bytes, fixture.bytes.length);
      if (fixture.role === 'config') assert.ok(CONFIG_KINDS.includes(doc.kind), `${doc.kind} is a config kind`);
      else assert.equal(doc.kind, KIND_OF_MEDIA_TYPE[fixture.contentType]);
    });
  }
  for (const [dir, layers] of layersByImage) {
    test(`the layer blobs of ${dir} show the registry's Docker-Content-Digest`, async () => {
      const docs = await analyse(app(), layers.map((l) => json(l.path, l.bytes)));
      assert.deepEqual(docs.map((d) => d.digest).sort(), layers.map((l) => l.registryDigest).sort());
    });
  }

  const signed = registry.files.filter((f) => f.role === 'schema1');
  test('two GETs of one signed schema1 manifest differ in bytes but show one digest', { skip: signed.length < 2 && 'no two signed schema1 fixtures' }, async () => {
    const [first, second] = signed;
    assert.notEqual(sha256(first.bytes), sha256(second.bytes), 'the fixtures differ in their signatures');
    const docs = await analyse(app(), [json('get1.json', first.bytes), json('get2.json', second.bytes)]);
    assert.deepEqual(docs.map((d) => d.digest), [first.registryDigest, first.registryDigest]);
    assert.deepEqual(docs.map((d) => d.bytesDigest).sort(), [sha256(first.bytes), sha256(second.bytes)].sort());
  });
});
