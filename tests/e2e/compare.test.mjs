// End-to-end: "why do these digests differ?" on real pairs. The pairs were made by real tools (umoci,
// skopeo copy --format v2s2, skopeo copy --dest-compress-format zstd, buildah manifest push, a registry
// re-signing schema 1 on every GET) and served by distribution 2.8.2; the expected digests are the
// registry's Docker-Content-Digest from fixtures.json or node's crypto over the exact bytes, and the
// re-indented manifests are written by node's own JSON encoder, never by the page's code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { seriousViolations } from './lib/axe.mjs';
import { DIST_DIR, useApp } from './lib/harness.mjs';
import { loadRegistryFixtures } from './lib/fixtures.mjs';
import { sha256 } from './lib/expected.mjs';
import { largeIndentedManifest } from './lib/samples.mjs';

const registry = await loadRegistryFixtures();
const fixture = (path) => registry.files.find((f) => f.path === path);
const asFile = (f) => ({ name: f.path, mimeType: 'application/json', buffer: f.bytes });
const parsed = (f) => JSON.parse(f.bytes.toString('utf8'));
const skip = registry.files.length === 0 && registry.reason;

const COMPARISON = '[data-testid="comparison"]';
/** The card of one loaded document, by the title the page gives it (a file name, or "Pasted text"). */
const card = (title) => `[data-testid="document"][aria-label="${title}"]`;

/** Where two byte strings first differ: offset, 1-based line and column (in characters). */
function firstDivergence(a, b) {
  let offset = 0;
  while (offset < a.length && offset < b.length && a[offset] === b[offset]) offset++;
  const prefix = a.subarray(0, offset).toString('utf8');
  const lines = prefix.split('\n');
  return { offset, line: lines.length, column: [...lines.at(-1)].length + 1 };
}

/** The evidence table as rows of { label, a, b, same }. */
function evidence(app) {
  return app.page.$$eval('[data-testid="evidence-row"]', (rows) =>
    rows.map((r) => ({
      label: r.getAttribute('data-label'),
      a: r.children[1].textContent.trim(),
      b: r.children[2].textContent.trim(),
      same: r.getAttribute('data-same') === 'true',
    })),
  );
}

describe('comparing two documents', { skip }, () => {
  const app = useApp();

  async function compareFiles(a, b) {
    await app().chooseFilesIn('file-a', [asFile(a)]);
    await app().chooseFilesIn('file-b', [asFile(b)]);
  }
  const verdict = (slug) => app().waitForVerdict(COMPARISON, (v) => v.slug === slug, `the verdict ${slug}`);

  test('an OCI image and its skopeo --format v2s2 copy: converted, the same Image ID', async () => {
    const oci = fixture('demo-oci/manifest.json');
    const docker = fixture('demo-docker/manifest.json');
    const config = fixture('demo-oci/config.json');
    await compareFiles(oci, docker);
    const v = await verdict('converted');
    assert.match(v.text, /from OCI .* to Docker/);
    assert.ok(v.text.includes(config.registryDigest), v.text);
    assert.match(v.text, /the Image ID is the same/);
    assert.deepEqual(await app().texts('digest-a'), [oci.registryDigest]);
    assert.deepEqual(await app().texts('digest-b'), [docker.registryDigest]);
    const rows = await evidence(app());
    const image = rows.find((r) => r.label === 'config digest (Image ID)');
    assert.deepEqual(image, { label: 'config digest (Image ID)', a: config.registryDigest, b: config.registryDigest, same: true });
    assert.deepEqual(rows.find((r) => r.label === 'digest'), {
      label: 'digest',
      a: oci.registryDigest,
      b: docker.registryDigest,
      same: false,
    });
  });

  test('gzip against zstd layers of one image: recompressed, naming both formats', async () => {
    const gzip = fixture('demo-oci/manifest.json');
    const zstd = fixture('demo-zstd/manifest.json');
    await compareFiles(gzip, zstd);
    const v = await verdict('recompressed');
    assert.match(v.text, /gzip → zstd/);
    assert.ok(v.text.includes(fixture('demo-zstd/config.json').registryDigest), v.text);
    // The structural diff names the layer media types and digests that changed.
    const paths = await app().page.$$eval('[data-testid="change"]', (rows) => rows.map((r) => r.getAttribute('data-path')));
    for (const i of [0, 1]) {
      assert.ok(paths.includes(`layers[${i}].mediaType`), JSON.stringify(paths));
      assert.ok(paths.includes(`layers[${i}].digest`), JSON.stringify(paths));
    }
  });

  test('an index and one of its platform manifests are named with the platform', async () => {
    const index = fixture('demo-multi/index.json');
    const arm64 = fixture('demo-multi/linux-arm64/manifest.json');
    await compareFiles(index, arm64);
    const v = await verdict('index-and-platform-manifest');
    assert.match(v.text, /A is a multi-platform index and B is the linux\/arm64 manifest/);
    assert.deepEqual(await app().texts('digest-a'), [index.registryDigest]);
    assert.deepEqual(await app().texts('digest-b'), [arm64.registryDigest]);

    await app().click('swap');
    const swapped = await app().waitForVerdict(COMPARISON, (s) => s.text.startsWith('B is a multi-platform index'), 'the swapped verdict');
    assert.equal(swapped.slug, 'index-and-platform-manifest');
    assert.deepEqual(await app().texts('digest-a'), [arm64.registryDigest]);
  });

  test('schema 1 fetched twice: the registry signed one payload twice', async () => {
    const first = fixture('demo-docker/schema1-get1.json');
    const second = fixture('demo-docker/schema1-get2.json');
    assert.notEqual(sha256(first.bytes), sha256(second.bytes), 'the two GETs differ in bytes');
    await compareFiles(first, second);
    const v = await verdict('schema1-resigned');
    assert.ok(v.text.includes(first.registryDigest), v.text);
    // Both sides show the registry's digest (of the payload) and, apart, the sha256 of the bytes.
    assert.deepEqual(await app().texts('digest-a'), [first.registryDigest]);
    assert.deepEqual(await app().texts('digest-b'), [second.registryDigest]);
    assert.deepEqual(await app().texts('bytes-digest-a'), [sha256(first.bytes)]);
    assert.deepEqual(await app().texts('bytes-digest-b'), [sha256(second.bytes)]);
  });

  test('a manifest re-indented by another JSON encoder: reserialized, naming whitespace, with the first differing byte', async () => {
    const oci = fixture('demo-oci/manifest.json');
    const reindented = JSON.stringify(parsed(oci), null, 3);
    await app().chooseFilesIn('file-a', [asFile(oci)]);
    await app().pasteInto('paste-b', reindented);
    const v = await verdict('reserialized');
    assert.match(v.text, /Same JSON value, different bytes/);
    assert.match(v.text, /whitespace/);
    const differences = await app().page.$$eval('[data-testid="serialization-difference"]', (els) =>
      els.map((e) => e.getAttribute('data-difference')),
    );
    // umoci ends the manifest with a newline; JSON.stringify does not.
    assert.deepEqual(differences.sort(), ['trailing-newline', 'whitespace']);
    assert.deepEqual(await app().texts('digest-b'), [sha256(Buffer.from(reindented))]);
    assert.equal((await app().texts('json-diff-none')).length, 1, 'no path differs');

    const expected = firstDivergence(oci.bytes, Buffer.from(reindented));
    const shown = await app().page.$eval('[data-testid="divergence"]', (d) => ({
      offset: Number(d.getAttribute('data-offset')),
      line: Number(d.getAttribute('data-line')),
      column: Number(d.getAttribute('data-column')),
    }));
    assert.deepEqual(shown, expected);
    const [byteA] = await app().texts('divergence-byte-a');
    const [byteB] = await app().texts('divergence-byte-b');
    const hex = (buf) => buf[expected.offset].toString(16).padStart(2, '0');
    assert.ok(byteA.includes(`0x${hex(oci.bytes)}`), byteA);
    assert.ok(byteB.includes(`0x${hex(Buffer.from(reindented))}`), byteB);
    // The re-indented side's line break and indentation are made visible.
    const [windowB] = await app().texts('divergence-b');
    assert.match(windowB, /↵\n?···"schemaVersion"/);
  });

  test('swapping moves the pasted text with its side', async () => {
    const oci = fixture('demo-oci/manifest.json');
    const reindented = JSON.stringify(parsed(oci), null, 3);
    await app().chooseFilesIn('file-a', [asFile(oci)]);
    await app().pasteInto('paste-b', reindented);
    await verdict('reserialized');
    await app().click('swap');
    const v = await app().waitForVerdict(COMPARISON, (s) => /A is exactly 3-space indent/.test(s.text), 'the swapped verdict');
    assert.equal(v.slug, 'reserialized');
    const boxes = await app().page.evaluate(() =>
      ['paste-a', 'paste-b'].map((id) => document.querySelector(`[data-testid="${id}"]`).value),
    );
    assert.deepEqual(boxes, [reindented, '']);
    assert.deepEqual(await app().texts('title-b'), [oci.path]);
  });

  test('CRLF against LF line endings: named, and the carriage returns made visible', async () => {
    const lf = Buffer.from(JSON.stringify(parsed(fixture('demo-oci/manifest.json')), null, 2));
    const crlf = Buffer.from(lf.toString('utf8').replaceAll('\n', '\r\n'));
    await app().chooseFilesIn('file-a', [{ name: 'lf.json', buffer: lf }]);
    await app().chooseFilesIn('file-b', [{ name: 'crlf.json', buffer: crlf }]);
    await verdict('reserialized');
    const differences = await app().page.$$eval('[data-testid="serialization-difference"]', (els) =>
      els.map((e) => e.getAttribute('data-difference')),
    );
    assert.deepEqual(differences, ['line-endings']);
    const { offset } = firstDivergence(lf, crlf);
    assert.equal(crlf[offset], 0x0d);
    assert.equal(await app().page.$eval('[data-testid="divergence"]', (d) => Number(d.getAttribute('data-offset'))), offset);
    assert.match((await app().texts('divergence-byte-b'))[0], /0x0d: a carriage return/);
    assert.match((await app().texts('divergence-b'))[0], /\{⟨CR⟩↵/);
  });

  test('the same bytes on both sides: identical, and the copy tools that keep them', async () => {
    const oci = fixture('demo-oci/manifest.json');
    await compareFiles(oci, oci);
    const v = await verdict('identical-bytes');
    assert.ok(v.text.includes(oci.registryDigest), v.text);
    assert.match(v.text, /skopeo copy --preserve-digests/);
    assert.equal((await app().texts('divergence-none')).length, 1);
  });

  test('two platforms of one index are different images; the diff lists the config digests', async () => {
    const amd64 = fixture('demo-multi/linux-amd64/manifest.json');
    const arm64 = fixture('demo-multi/linux-arm64/manifest.json');
    await compareFiles(amd64, arm64);
    const v = await verdict('different-images');
    assert.ok(v.text.includes(fixture('demo-multi/linux-arm64/config.json').registryDigest), v.text);
    const change = await app().page.$eval('[data-testid="change"][data-path="config.digest"]', (r) => ({
      kind: r.getAttribute('data-change'),
      a: r.children[2].textContent,
      b: r.children[3].textContent,
    }));
    assert.deepEqual(change, {
      kind: 'changed',
      a: JSON.stringify(fixture('demo-multi/linux-amd64/config.json').registryDigest),
      b: JSON.stringify(fixture('demo-multi/linux-arm64/config.json').registryDigest),
    });
  });

  test('documents loaded above can be picked for A and B, and stay picked as the page changes', async () => {
    const index = fixture('demo-multi/index.json');
    const arm64 = fixture('demo-multi/linux-arm64/manifest.json');
    await app().chooseFiles([asFile(index), asFile(arm64)]);
    await app().waitForDigests(2);
    await app().pickOption('pick-a', index.path);
    await app().pickOption('pick-b', arm64.path);
    await verdict('index-and-platform-manifest');
    // A pasted document joins the list at the top; the picks must still name the same documents.
    await app().paste('{"a":1}');
    await app().waitForDigests(3);
    const picked = await app().page.evaluate(() =>
      ['pick-a', 'pick-b'].map((id) => {
        const select = document.querySelector(`[data-testid="${id}"]`);
        return select.selectedOptions[0]?.textContent ?? null;
      }),
    );
    assert.ok(picked[0].startsWith(index.path), JSON.stringify(picked));
    assert.ok(picked[1].startsWith(arm64.path), JSON.stringify(picked));
    assert.deepEqual(await app().texts('digest-a'), [index.registryDigest]);
    // Removing a picked document empties that side and says so.
    await app().page.click(`${card(arm64.path)} button:has-text("Remove")`);
    await app().page.locator('text=The document picked as B was removed').waitFor();
    assert.equal((await app().texts('compare-hint')).length, 1);
  });

  test('every compare input has a label and the list is usable from the keyboard', async () => {
    const oci = fixture('demo-oci/manifest.json');
    await app().chooseFiles([asFile(oci)]);
    await app().waitForDigests(1);
    const unlabelled = await app().page.$$eval(
      '[data-testid="compare"] select, [data-testid="compare"] textarea, [data-testid="compare"] input',
      (els) => els.filter((e) => e.labels.length === 0).map((e) => e.outerHTML),
    );
    assert.deepEqual(unlabelled, []);
    await app().page.focus('[data-testid="pick-a"]');
    await app().page.keyboard.press('ArrowDown');
    await app().page.focus('[data-testid="pick-b"]');
    await app().page.keyboard.press('ArrowDown');
    await verdict('identical-bytes');
  });

  test('a large pair stays responsive: the diff draws a bounded number of rows', async () => {
    // Two 6,000-entry indexes (about 1.4 MB each) that differ in every digest.
    const entry = (i, seed) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256(Buffer.from(`${seed}-${i}`)),
      size: 500 + i,
      platform: { architecture: 'amd64', os: 'linux' },
    });
    const index = (seed) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: Array.from({ length: 6000 }, (_, i) => entry(i, seed)),
        }),
      );
    const a = index('a');
    const b = index('b');
    const started = Date.now();
    await app().chooseFilesIn('file-a', [{ name: 'a.json', buffer: a }]);
    await app().pasteInto('paste-b', b.toString('utf8'));
    await verdict('indexes-differ');
    const elapsed = Date.now() - started;
    const rows = (await app().texts('change')).length;
    const [more] = await app().texts('json-diff-more');
    assert.equal(rows, 200);
    assert.match(more, /and 5800 more path/);
    assert.deepEqual(await app().texts('digest-a'), [sha256(a)]);
    assert.deepEqual(await app().texts('digest-b'), [sha256(b)]);
    // The page still answers: a small paste over B gives a new verdict at once.
    await app().fillIn('paste-b', '{"schemaVersion":2}');
    await app().waitForVerdict(COMPARISON, (v) => v.slug !== 'indexes-differ', 'a new verdict');
    assert.ok(elapsed < 10000, `the large comparison took ${elapsed} ms`);
  });
});

describe('checking a document against the digest the user expected', { skip }, () => {
  const app = useApp();
  const PASTED = card('Pasted text');
  const answerIn = (scope) => `${scope} [data-testid="expected-answer"]`;

  async function expect(scope, value, slug) {
    await app().fillIn('expected', value, scope);
    return app().waitForVerdict(answerIn(scope), (v) => v.slug === slug, `the answer ${slug} to ${value}`);
  }

  test('a re-indented paste is traced back to the registry digest and the bytes that have it', async () => {
    const oci = fixture('demo-oci/manifest.json');
    await app().paste(JSON.stringify(parsed(oci), null, 2));
    await app().waitForDigests(1);
    const v = await expect(PASTED, oci.registryDigest, 'reserialized');
    assert.ok(v.text.includes(oci.registryDigest), v.text);
    assert.match(v.text, /compact with a trailing newline/);
    // The bytes the page shows for that digest are the ones the registry served.
    const [bytes] = await app().page.$$eval(`${PASTED} [data-testid="expected-bytes"]`, (els) => els.map((e) => e.textContent));
    assert.equal(bytes, oci.bytes.toString('utf8'));
  });

  test('a paste that lost its trailing newline is found by the byte edit', async () => {
    const oci = fixture('demo-oci/manifest.json');
    assert.equal(oci.bytes.at(-1), 0x0a);
    await app().paste(oci.bytes.subarray(0, -1).toString('utf8'));
    await app().waitForDigests(1);
    const v = await expect(PASTED, oci.registryDigest, 'byte-edit');
    assert.match(v.text, /with a trailing newline/);
  });

  test('the registry digest matches in full, bare hex and the 12-character short form', async () => {
    const oci = fixture('demo-oci/manifest.json');
    await app().paste(oci.bytes.toString('utf8'));
    await app().waitForDigests(1);
    const hex = oci.registryDigest.slice('sha256:'.length);
    for (const form of [oci.registryDigest, hex, hex.slice(0, 12)]) {
      const v = await expect(PASTED, form, 'matches');
      assert.ok(v.text.includes(oci.registryDigest), v.text);
    }
  });

  test('the Image ID that docker images prints is recognised as the config digest', async () => {
    const oci = fixture('demo-oci/manifest.json');
    const config = fixture('demo-oci/config.json');
    await app().paste(oci.bytes.toString('utf8'));
    await app().waitForDigests(1);
    const v = await expect(PASTED, config.registryDigest.slice(7, 19), 'other-digest');
    assert.match(v.text, /Image ID/);
    assert.ok(v.text.includes(config.registryDigest), v.text);
  });

  test('with the index loaded, the index digest and another platform are named', async () => {
    const index = fixture('demo-multi/index.json');
    const amd64 = fixture('demo-multi/linux-amd64/manifest.json');
    const arm64 = fixture('demo-multi/linux-arm64/manifest.json');
    await app().chooseFiles([asFile(index)]);
    await app().paste(amd64.bytes.toString('utf8'));
    await app().waitForDigests(2);
    const v = await expect(PASTED, index.registryDigest, 'other-digest');
    assert.match(v.text, /multi-platform index/);
    assert.deepEqual(await app().texts('expected-place'), [`Loaded document 2 is ${index.path}.`]);
    const other = await expect(PASTED, arm64.registryDigest, 'other-digest');
    assert.match(other.text, /linux\/arm64 manifest/);
  });

  test('a signed schema 1 manifest matches by the digest of its payload', async () => {
    const schema1 = fixture('demo-docker/schema1-get1.json');
    await app().chooseFiles([asFile(schema1)]);
    await app().waitForDigests(1);
    const v = await expect(card(schema1.path), schema1.registryDigest, 'matches');
    assert.match(v.text, /signed payload/);
  });

  test('an unrelated digest gets an honest no, with how many candidates were tried', async () => {
    const oci = fixture('demo-oci/manifest.json');
    await app().paste(oci.bytes.toString('utf8'));
    await app().waitForDigests(1);
    const v = await expect(PASTED, sha256(Buffer.from('another image')), 'no-match');
    const tried = Number(/neither (\d+) re-serializations/.exec(v.text)?.[1]);
    assert.ok(tried > 10, v.text);
  });

  test('a large document is checked when the user asks, not on every keystroke', async () => {
    // About 700 KB: 3,000 layers, 2-space indented.
    const layers = Array.from({ length: 3000 }, (_, i) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: sha256(Buffer.from(`layer ${i}`)),
      size: 1000 + i,
    }));
    const big = Buffer.from(
      JSON.stringify(
        {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(Buffer.from('config')), size: 2 },
          layers,
        },
        null,
        2,
      ),
    );
    await app().chooseFiles([{ name: 'big.json', buffer: big }]);
    await app().waitForDigests(1);
    const scope = card('big.json');
    // The registry would serve what Go's json.Marshal writes: node's compact JSON here.
    const compact = sha256(Buffer.from(JSON.stringify(JSON.parse(big.toString('utf8')))));
    await app().fillIn('expected', compact, scope);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await app().texts('expected-answer')).length, 0, 'no answer before the user asks');
    await app().page.press(`${scope} [data-testid="expected"]`, 'Enter');
    const v = await app().waitForVerdict(answerIn(scope), (a) => a.slug === 'reserialized', 'the answer after Enter', 60000);
    assert.match(v.text, /compact, Go json.Marshal/);
  });

  test('input that is not a digest gets a message, not an answer', async () => {
    await app().paste('{"a":1}');
    await app().waitForDigests(1);
    await app().fillIn('expected', 'abc123', PASTED);
    await app().page.locator('[data-testid="expected-error"]', { hasText: 'too few' }).waitFor();
    await app().fillIn('expected', 'sha256:not-hex', PASTED);
    await app().page.locator('[data-testid="expected-error"]', { hasNotText: 'too few' }).waitFor();
    assert.equal((await app().texts('expected-answer')).length, 0);
    const label = await app().page.$eval(`${PASTED} [data-testid="expected"]`, (e) => e.labels.length);
    assert.equal(label, 1);
  });
});

describe('what a re-push would produce', { skip }, () => {
  const app = useApp();

  /** Opens the re-push section of the only card with the keyboard and reads its renderings. */
  async function renderings(f) {
    await app().chooseFiles([asFile(f)]);
    await app().waitForDigests(1);
    await app().page.focus('[data-testid="repush"] > summary');
    await app().page.keyboard.press('Enter');
    await app().page.locator('[data-testid="rendering"]').first().waitFor();
    return app().page.$$eval('[data-testid="rendering"]', (rows) =>
      rows.map((r) => ({
        name: r.querySelector('[data-testid="rendering-name"]').textContent,
        digest: r.querySelector('[data-testid="rendering-digest"]').textContent,
        same: r.getAttribute('data-same') === 'true',
        bytes: r.querySelector('[data-testid="rendering-bytes"]').textContent,
      })),
    );
  }

  test('skopeo wrote the Docker manifest compact: that row keeps the registry digest, 3 spaces do not', async () => {
    const docker = fixture('demo-docker/manifest.json');
    const rows = await renderings(docker);
    const same = rows.filter((r) => r.same);
    assert.ok(same.length >= 1, JSON.stringify(rows.map((r) => r.name)));
    assert.ok(same.every((r) => r.digest === docker.registryDigest));
    assert.ok(same.some((r) => r.name.startsWith('compact, Go json.Marshal')), JSON.stringify(same.map((r) => r.name)));
    // node's JSON.stringify writes the same 3-space layout as Go's MarshalIndent for this manifest.
    const threeSpaces = JSON.stringify(parsed(docker), null, 3);
    const distribution = rows.find((r) => r.name.startsWith('3-space indent'));
    assert.equal(distribution.bytes, threeSpaces);
    assert.equal(distribution.digest, sha256(Buffer.from(threeSpaces)));
    assert.equal(distribution.same, false);
  });

  test("umoci's manifest is kept by the writer that adds a trailing newline", async () => {
    const oci = fixture('demo-oci/manifest.json');
    const rows = await renderings(oci);
    const same = rows.filter((r) => r.same).map((r) => r.name);
    assert.ok(same.some((n) => n.startsWith('compact with a trailing newline')), JSON.stringify(same));
    const compact = rows.find((r) => r.name.startsWith('compact, Go json.Marshal'));
    assert.equal(compact.digest, sha256(Buffer.from(JSON.stringify(parsed(oci)))));
  });

  test('a rendering is copied whole', async () => {
    const docker = fixture('demo-docker/manifest.json');
    await app().page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app().origin });
    const rows = await renderings(docker);
    const index = rows.findIndex((r) => r.name.startsWith('3-space indent'));
    const row = app().page.locator('[data-testid="rendering"]').nth(index);
    await row.locator('summary').click();
    await row.locator('button:has-text("Copy these bytes")').click();
    const copied = await app().page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, JSON.stringify(parsed(docker), null, 3));
  });

  test('a config has no re-push section: it travels as a blob', async () => {
    await app().chooseFiles([asFile(fixture('demo-oci/config.json'))]);
    await app().waitForDigests(1);
    assert.equal(await app().page.locator('[data-testid="repush"]').count(), 0);
  });
});

describe('accessibility of the answers', { skip }, () => {
  const app = useApp();
  /** A comparison with every part drawn, an expected-digest answer and an open re-push preview. */
  async function showEverything() {
    const oci = fixture('demo-oci/manifest.json');
    await app().chooseFiles([asFile(oci)]);
    await app().waitForDigests(1);
    await app().fillIn('expected', oci.registryDigest.slice(7, 19));
    await app().waitForVerdict('[data-testid="expected-answer"]', () => true, 'an answer');
    await app().page.click('[data-testid="repush"] > summary');
    await app().page.locator('[data-testid="rendering"]').first().waitFor();
    await app().pickOption('pick-a', oci.path);
    await app().pasteInto('paste-b', JSON.stringify(parsed(fixture('demo-docker/manifest.json')), null, 3));
    await app().waitForVerdict(COMPARISON, (v) => v.slug === 'converted', 'the converted verdict');
  }

  for (const scheme of ['light', 'dark']) {
    test(`no serious or critical axe violations with every answer shown, ${scheme} scheme`, async () => {
      await app().page.emulateMedia({ colorScheme: scheme });
      await showEverything();
      assert.deepEqual(await seriousViolations(app().page), []);
    });
  }

  test('at phone width the answers fit the screen', async () => {
    await app().page.setViewportSize({ width: 375, height: 740 });
    await showEverything();
    assert.deepEqual(await seriousViolations(app().page), []);
    const overflow = await app().page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 375px screen`);
  });
});

// The comparison machinery runs in a worker module of its own (src/ui/analysis), loaded on first use:
// the page's module does not carry it, the page answers while it works, and a worker that cannot load
// or stops is a message, never an endless "Comparing…".
describe('comparing in the analysis worker', () => {
  const app = useApp();
  const A = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}';
  const B = '{\n  "schemaVersion": 2,\n  "mediaType": "application/vnd.oci.image.manifest.v1+json"\n}';

  test("the page's module leaves the diagnosis to the worker module", () => {
    // Sentences only the diagnosis and the re-serializer write (core::diagnose, core::reserialize).
    const sentences = ['so the Image ID is the same.', 'compact, Go json.Marshal'];
    const page = readFileSync(join(DIST_DIR, 'digestlens_bg.wasm'));
    const worker = readFileSync(join(DIST_DIR, 'analysis_worker_bg.wasm'));
    for (const sentence of sentences) {
      assert.equal(page.includes(sentence), false, `the page's module holds "${sentence}"`);
      assert.equal(worker.includes(sentence), true, `the worker module lacks "${sentence}"`);
    }
  });

  test('a comparison right after the page opens loads the worker and gets its answer', async () => {
    const requested = [];
    app().page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await app().pasteInto('paste-a', A);
    await app().pasteInto('paste-b', B);
    const v = await app().waitForVerdict(COMPARISON, (s) => s.slug === 'reserialized', 'the verdict reserialized');
    assert.match(v.text, /same JSON/i);
    assert.ok(requested.some((p) => p.endsWith('/analysis_worker_bg.wasm')), requested.join(' '));
  });

  test('"Comparing…" shows while the worker loads, then the answer replaces it', async () => {
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await app().page.route('**/analysis_worker_bg.wasm', async (route) => {
      await held;
      await route.continue();
    });
    await app().pasteInto('paste-a', A);
    await app().pasteInto('paste-b', B);
    const pending = app().page.locator('[data-testid="compare-pending"]');
    await pending.waitFor();
    assert.equal(await pending.textContent(), 'Comparing…');
    assert.equal(await pending.getAttribute('role'), 'status');
    release();
    await app().waitForVerdict(COMPARISON, (s) => s.slug === 'reserialized', 'the verdict after loading');
    assert.equal(await pending.count(), 0);
  });

  test('a worker script that cannot be loaded is named, and the page goes on', async () => {
    await app().page.route('**/analysis_worker_loader.js', (route) => route.abort('connectionrefused'));
    await app().pasteInto('paste-a', A);
    await app().pasteInto('paste-b', B);
    const error = app().page.locator('[data-testid="compare-error"]');
    await error.waitFor();
    assert.match(await error.textContent(), /worker that compares documents stopped \(its script could not be loaded\)/);
    assert.equal(await error.getAttribute('role'), 'alert');
    // The page itself still works.
    await app().paste('{"still": "working"}');
    await app().waitForDigests(1);
  });

  test('a worker whose module cannot be loaded says so at once', async () => {
    await app().page.route('**/analysis_worker_bg.wasm', (route) => route.abort('connectionrefused'));
    await app().pasteInto('paste-a', A);
    await app().pasteInto('paste-b', B);
    const error = app().page.locator('[data-testid="compare-error"]');
    await error.waitFor();
    assert.match(await error.textContent(), /did not load \(TypeError: Failed to fetch\)/);
  });

  test('checking an expected digest of a 2 MB document leaves the page responsive', async () => {
    // A 2 MB manifest, indented as `JSON.stringify(…, null, 2)` writes it; its compact spelling (what
    // Go's json.Marshal writes) is the digest expected, so the worker tries re-serializations.
    const big = largeIndentedManifest();
    assert.ok(big.length > 2_000_000, `${big.length} bytes`);
    await app().chooseFiles([{ name: 'big.json', buffer: big }]);
    await app().waitForDigests(1);
    const scope = card('big.json');
    await app().fillIn('expected', sha256(Buffer.from('no document has this digest')), scope);
    await app().page.press(`${scope} [data-testid="expected"]`, 'Enter');
    // While the worker tries every re-serialization (seconds), the page still analyses a paste: the
    // paste's digest appears while the check is still pending. On the page's own thread the paste
    // would wait until the check had answered.
    await app().page.locator(`${scope} [data-testid="expected-pending"]`).waitFor();
    const text = '{"typed": "while checking"}';
    await app().paste(text);
    await app().waitForDocuments((d) => d.some((x) => x.digest === sha256(Buffer.from(text))), 'the pasted text');
    assert.equal(
      await app().page.locator(`${scope} [data-testid="expected-pending"]`).count(),
      1,
      'the check was still running when the paste was analysed',
    );
    const v = await app().waitForVerdict(`${scope} [data-testid="expected-answer"]`, (a) => a.slug === 'no-match', 'the answer', 60000);
    assert.match(v.text, /re-serializations/);
  });
});
