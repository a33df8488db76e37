// End-to-end: a layer's uncompressed size before it is downloaded. A person loads a manifest and
// config, names the registry and presses "Estimate sizes": each layer row shows "≈ … uncompressed"
// from a Range request for a few bytes, labelled as an estimate, until verifying replaces it with the
// measured size. A registry (or proxy) that ignores Range gets no estimate, and its body is not read.
//
// Expected values come from outside the page: the blobs read with curl from the real registry
// (distribution 2.8.2, which honours Range), their size per Python's gzip module (the ISIZE field and
// the length of gzip.decompress) and `zstd -lv`. The proxy that drops Range is lib/registries.mjs's
// fault proxy, which relays blobs without the Range header, or answers 200 with a 4 GiB trickle; it
// also plays a 206 that goes on past the range (chunked, no Content-Length), a 206 whose Content-Range
// names other bytes, and a slow 206. The Content-Range sentences are checked against byte positions
// computed here from the manifest's sizes.
//
// The registry is scripts/test's (E2E_REGISTRY) or one started here on LAYER_ESTIMATE_REGISTRY_PORT.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { WAIT_MS, useApp } from './lib/harness.mjs';
import { startFaultProxy, startRegistry } from './lib/registries.mjs';

const run = promisify(execFile);
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const ownPort = Number(process.env.LAYER_ESTIMATE_REGISTRY_PORT ?? 5948);
const host = process.env.E2E_REGISTRY ?? `127.0.0.1:${ownPort}`;
const origin = `http://${host}`;
const registry = process.env.E2E_REGISTRY ? null : await startRegistry({ port: ownPort, mode: 'cors' });
const proxy = await startFaultProxy(origin);
const scratch = await mkdtemp(join(tmpdir(), 'digestlens-estimate-'));
after(async () => {
  await proxy.close();
  await registry?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** `path` of the registry read with curl into a scratch file; returns the file. */
async function curl(path, accept) {
  const file = join(scratch, path.replaceAll('/', '_'));
  await run('curl', ['-sf', ...(accept ? ['-H', `Accept: ${accept}`] : []), '-o', file, `${origin}${path}`]);
  return file;
}

/** The uncompressed size of a gzip blob by Python: ISIZE, and the length of gzip.decompress. */
async function pythonGzip(file) {
  const script = 'import gzip, struct, sys\nd = open(sys.argv[1], "rb").read()\nprint(struct.unpack("<I", d[-4:])[0], len(gzip.decompress(d)))';
  const { stdout } = await run('python3', ['-c', script, file]);
  const [isize, length] = stdout.trim().split(' ').map(Number);
  return { isize, length };
}

/** `zstd -lv`'s "Decompressed Size: … (N B)". */
async function zstdSize(file) {
  const { stdout } = await run('zstd', ['-lv', file]);
  const match = /Decompressed Size:.*\((\d+) B\)/.exec(stdout);
  assert.ok(match, stdout);
  return Number(match[1]);
}

describe("a layer's uncompressed size, estimated from a few bytes", () => {
  const app = useApp({ allowedOrigins: [origin, proxy.origin], realPreflights: true });

  /** Loads `repo`:1's manifest and config (read with curl) as files; returns the manifest. */
  async function load(repo) {
    const manifest = await readFile(await curl(`/v2/${repo}/manifests/1`, OCI_MANIFEST));
    const doc = JSON.parse(manifest);
    const config = await readFile(await curl(`/v2/${repo}/blobs/${doc.config.digest}`));
    await app().chooseFiles([
      { name: 'manifest.json', mimeType: 'application/json', buffer: manifest },
      { name: 'config.json', mimeType: 'application/json', buffer: config },
    ]);
    await app().waitForDigests(2);
    await app().until(() => app().page.fill('[data-testid="blob-registry"]', `${host}/${repo}:1`), 'the registry box');
    return doc;
  }

  const readEstimates = () =>
    app().page.$$eval('[data-testid="layer-result"][data-index]', (rows) =>
      rows.map((row) => {
        const e = row.querySelector('[data-testid="layer-estimate"]');
        return e && { state: e.dataset.state, bytes: Number(e.dataset.bytes), source: e.dataset.source ?? null, problem: e.dataset.problem ?? null, text: e.textContent.trim(), caveat: e.getAttribute('title') || null };
      }),
    );

  async function waitForEstimates(count, accept, what) {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      app().throwIfProblems();
      const shown = await readEstimates();
      if (shown.length === count && shown.every((e) => e && accept(e))) return shown;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(shown)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test("demo/oci:1 (gzip): each estimate is the ISIZE Python's gzip reads, until verifying measures the same", async () => {
    const doc = await load('demo/oci');
    const want = await Promise.all(doc.layers.map(async (l) => pythonGzip(await curl(`/v2/demo/oci/blobs/${l.digest}`))));
    await app().click('estimate-sizes');
    const shown = await waitForEstimates(doc.layers.length, (e) => e.state === 'estimate', 'the estimates');
    assert.deepEqual(shown.map((e) => e.bytes), want.map((w) => w.isize));
    assert.deepEqual(want.map((w) => w.isize), want.map((w) => w.length), 'single-member gzip: ISIZE is the size');
    for (const e of shown) {
      assert.equal(e.source, 'gzip-isize');
      assert.match(e.text, /^≈ .* uncompressed \(estimate from the gzip trailer; modulo 4 GiB, single-member only\)$/);
      // The registry's CORS exposes no Content-Range (scripts/registry), so the range goes unchecked.
      assert.match(e.caveat ?? '', /Content-Range could not be read .* could not check that these are the bytes it asked for/);
    }
    await app().click('verify-layers');
    const measured = await waitForEstimates(doc.layers.length, (e) => e.state === 'measured', 'the measured sizes');
    assert.deepEqual(measured.map((e) => e.bytes), want.map((w) => w.length));
    assert.ok(measured.every((e) => /the estimate was exact/.test(e.text)));
  });

  test('demo/zstd:1 (zstd): each estimate is the Frame_Content_Size `zstd -lv` reads', async () => {
    const doc = await load('demo/zstd');
    const want = await Promise.all(doc.layers.map(async (l) => zstdSize(await curl(`/v2/demo/zstd/blobs/${l.digest}`))));
    await app().click('estimate-sizes');
    const shown = await waitForEstimates(doc.layers.length, (e) => e.state === 'estimate', 'the estimates');
    assert.deepEqual(shown.map((e) => e.bytes), want);
    assert.ok(shown.every((e) => e.source === 'zstd-frame-content-size'));
  });

  /** Sets the CORS proxy prefix of the connection settings. */
  async function throughProxy(prefix) {
    await app().page.locator('.fetch-settings').evaluate((d) => {
      d.open = true;
    });
    await app().page.fill('[data-testid="proxy"]', prefix);
  }

  test('a proxy that drops the Range header: the 200 answer is stopped and named, no estimate', async () => {
    const doc = await load('demo/oci');
    await throughProxy(`${proxy.origin}/lying-digest/`);
    await app().click('estimate-sizes');
    const shown = await waitForEstimates(doc.layers.length, (e) => e.state === 'unavailable', 'the refusals');
    assert.ok(shown.every((e) => e.problem === 'range-ignored'), JSON.stringify(shown));
    assert.match(shown[0].text, /ignored the Range request/);
  });

  test('a 4 GiB answer to a Range request is cut off at its headers', async () => {
    const doc = await load('demo/oci');
    await throughProxy(`${proxy.origin}/huge-blob/`);
    const sentBefore = proxy.hugeBytesSent;
    const t0 = performance.now();
    await app().click('estimate-sizes');
    const shown = await waitForEstimates(doc.layers.length, (e) => e.state === 'unavailable', 'the refusals');
    const ms = performance.now() - t0;
    assert.ok(shown.every((e) => e.problem === 'range-ignored'), JSON.stringify(shown));
    await new Promise((r) => setTimeout(r, 300));
    const sent = proxy.hugeBytesSent - sentBefore;
    assert.ok(sent < 1024 * 1024, `${sent} bytes were sent before the page stopped the answers`);
    console.log(`# ${doc.layers.length} answers of 4 GiB refused in ${ms.toFixed(0)} ms; ${sent} bytes had been sent`);
  });

  test('a 206 without Content-Length that keeps sending is cut off one byte past the range: "longer than asked"', async () => {
    const doc = await load('demo/oci');
    await throughProxy(`${proxy.origin}/long-range/`);
    const sentBefore = proxy.rangeBytesSent;
    await app().click('estimate-sizes');
    const shown = await waitForEstimates(doc.layers.length, (e) => e.state === 'unavailable', 'the refusals');
    assert.ok(shown.every((e) => e.problem === 'longer-than-asked'), JSON.stringify(shown));
    assert.match(shown[0].text, /^No estimate: the registry's answer is longer than asked: it kept sending for a range of 8, so the page stopped it/);
    await new Promise((r) => setTimeout(r, 300));
    const sent = proxy.rangeBytesSent - sentBefore;
    assert.ok(sent < doc.layers.length * 1024 * 1024, `${sent} bytes were sent before the page stopped the answers`);
    console.log(`# ${doc.layers.length} endless 206 answers stopped; ${sent} bytes had been sent`);
  });

  test('a 206 whose Content-Range names other bytes gives no estimate, and says what it named', async () => {
    const doc = await load('demo/oci');
    await throughProxy(`${proxy.origin}/other-range/`);
    await app().click('estimate-sizes');
    const shown = await waitForEstimates(doc.layers.length, (e) => e.state === 'unavailable', 'the refusals');
    assert.ok(shown.every((e) => e.problem === 'other-range'), JSON.stringify(shown));
    shown.forEach((e, i) => {
      const size = doc.layers[i].size;
      // gzip's ISIZE ends the blob: the last 8 bytes were asked for, the first 8 came.
      const said = `answered with bytes 0-7/${size} (its Content-Range), but the page asked for bytes ${size - 8}-${size - 1} of a blob of ${size} bytes`;
      assert.ok(e.text.includes(said), `${e.text}\n${said}`);
    });
  });

  /** Waits until the slow-range fault has received a Range request beyond the `before` it had. */
  async function firstRangeRequest(before) {
    const deadline = Date.now() + WAIT_MS;
    while (proxy.rangeRequests['slow-range'] === before) {
      app().throwIfProblems();
      if (Date.now() > deadline) throw new Error('the first Range request never came');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  test('asking again stops the round under way: one round of Range requests, not two', async () => {
    const doc = await load('demo/oci');
    await throughProxy(`${proxy.origin}/slow-range/`);
    const before = proxy.rangeRequests['slow-range'];
    await app().click('estimate-sizes');
    await firstRangeRequest(before);
    await app().click('estimate-sizes');
    const shown = await waitForEstimates(doc.layers.length, (e) => e.state === 'estimate', 'the estimates');
    assert.ok(shown.every((e) => !/Content-Range/.test(e.caveat ?? '')), `the fault proxy exposes Content-Range: the range was checked ${JSON.stringify(shown)}`);
    await new Promise((r) => setTimeout(r, 1500));
    const sent = proxy.rangeRequests['slow-range'] - before;
    assert.equal(sent, doc.layers.length + 1, 'the first round stopped at its first request');
  });

  test('clearing the page stops the round under way: no Range request after the one in flight', async () => {
    await load('demo/oci');
    await throughProxy(`${proxy.origin}/slow-range/`);
    const before = proxy.rangeRequests['slow-range'];
    await app().click('estimate-sizes');
    await firstRangeRequest(before);
    await app().click('clear');
    await app().until(() => app().page.locator('[data-testid="layers"]').waitFor({ state: 'detached' }), 'the layer panel to go');
    await new Promise((r) => setTimeout(r, 1500));
    app().throwIfProblems();
    assert.equal(proxy.rangeRequests['slow-range'] - before, 1, 'only the request sent before the panel went');
  });
});
