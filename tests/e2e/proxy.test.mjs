// End-to-end: the page served BY digestlens-proxy (target/release/digestlens-proxy, `--static dist`) finds
// the proxy at ./proxy/ and reads registries through it with no setting typed, from real docker-registry
// processes (distribution 2.8.2) started here WITHOUT any CORS header, on 127.0.0.1:5801-5803 (the third
// asks for a password: htpasswd, Basic authentication). Expected
// values come from the registries themselves (make-images' summary.json, read with curl; node's fetch
// straight to the registry for blobs and manifests), never from the page or the proxy.
//
// Also: a refusal of the proxy (a registry host it does not allow, 127.0.0.3 — loopback, and never
// connected to) reads as a sentence naming the host and the flag, and the "compare two images" form on a
// real pulled-and-pushed pair: an index copied with `skopeo copy --all` to registry 1, and its amd64 image
// pulled and pushed to registry 2 the way `docker push` does it (layers decompressed into local storage,
// then pushed as Docker schema 2 with gzip written again at level 9): its verdict, and its layer table with
// the "Why?" of a layer downloaded through the proxy.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { AppPage, DIST_DIR, launchBrowser, REPO_ROOT, WAIT_MS } from './lib/harness.mjs';
import { sha256 } from './lib/expected.mjs';
import { MANIFEST_ACCEPT, startRegistry } from './lib/registries.mjs';

const run = promisify(execFile);
const PORTS = { proxy: 5800, first: 5801, second: 5802, locked: 5803 };
/** A registry host the proxy is not told about: loopback, so even a mistake could not leave the machine. */
const NOT_ALLOWED = '127.0.0.3:5899';
/** The release build (`cargo build --release -p digestlens-proxy`), else the one `cargo test -p digestlens-proxy` left. */
const PROXY_BINARY =
  process.env.DIGESTLENS_PROXY ??
  ['proxy', 'release', 'debug'].map((p) => join(REPO_ROOT, 'target', p, 'digestlens-proxy')).find((p) => existsSync(p)) ??
  join(REPO_ROOT, 'target/release/digestlens-proxy');

const started = await Promise.allSettled([
  startRegistry({ port: PORTS.first, mode: 'nocors' }),
  startRegistry({ port: PORTS.second, mode: 'nocors' }),
  startRegistry({ port: PORTS.locked, mode: 'htpasswd' }),
]);
const [first, second, locked] = started.map((s) => (s.status === 'fulfilled' ? s.value : null));
const unavailable =
  started.find((s) => s.status === 'rejected')?.reason?.message ??
  (existsSync(PROXY_BINARY) ? undefined : `no proxy at ${PROXY_BINARY}: cargo build --release -p digestlens-proxy`);

after(async () => {
  await Promise.all([first, second, locked].map((r) => r?.stop()));
});

/** Starts the proxy serving the built page, allowed to reach the loopback registries over plain http. */
async function startProxy() {
  const hosts = [first.host, second.host, locked.host];
  const args = ['--listen', `127.0.0.1:${PORTS.proxy}`, '--static', DIST_DIR];
  for (const host of hosts) args.push('--allow-registry', host, '--plain-http', host);
  const child = spawn(PROXY_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const origin = `http://127.0.0.1:${PORTS.proxy}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the proxy exited: ${log}`);
    const answer = await fetch(`${origin}/proxy/`).catch(() => null);
    if (answer?.ok) break;
    if (Date.now() > deadline) throw new Error(`the proxy did not answer on ${origin}: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    origin,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    },
  };
}

/** GET straight from a registry (node's fetch, no browser): the bytes and the Docker-Content-Digest. */
async function direct(registry, path, accept = MANIFEST_ACCEPT) {
  const res = await fetch(`${registry.origin}/v2/${path}`, { headers: { accept } });
  assert.equal(res.status, 200, `GET ${registry.origin}/v2/${path}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    bytes,
    get json() {
      return JSON.parse(bytes);
    },
    digest: res.headers.get('docker-content-digest'),
  };
}

/**
 * skopeo with an empty blob-info cache of its own (containers/image's rootless path, as make-images falls
 * back to): a remembered compressed twin of a blob must not stand in for compressing it again.
 */
async function skopeo(args) {
  const cache = await mkdtemp(join(tmpdir(), 'digestlens-e2e-skopeo-'));
  try {
    const env = { ...process.env, _CONTAINERS_ROOTLESS_UID: '65534', XDG_DATA_HOME: cache };
    return await run('skopeo', ['--insecure-policy', ...args], { env, maxBuffer: 1 << 22 });
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
}

/**
 * The pulled-and-pushed pair: registry 1 gets an index by `skopeo copy --all`; its linux/amd64 image is
 * pulled into a local directory with the layers decompressed (what `docker pull` keeps) and pushed to
 * registry 2 as Docker schema 2 with the layers compressed again (what `docker push` does).
 */
async function pushPair() {
  const dir = await mkdtemp(join(tmpdir(), 'digestlens-e2e-pair-'));
  const plain = ['--src-tls-verify=false', '--dest-tls-verify=false'];
  try {
    await skopeo(['copy', ...plain, '--all', `docker://${first.host}/demo/multi:1`, `docker://${first.host}/pulled/busybox:1`]);
    await skopeo([
      'copy', '--src-tls-verify=false', '--override-os', 'linux', '--override-arch', 'amd64', '--dest-decompress',
      `docker://${first.host}/pulled/busybox:1`, `dir:${join(dir, 'local')}`,
    ]);
    await skopeo([
      'copy', '--dest-tls-verify=false', '--format', 'v2s2', '--dest-compress', '--dest-compress-format', 'gzip',
      '--dest-compress-level', '9', `dir:${join(dir, 'local')}`, `docker://${second.host}/pushed/busybox:1`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const index = await direct(first, 'pulled/busybox/manifests/1');
  const entry = index.json.manifests.find((m) => m.platform?.architecture === 'amd64' && m.platform?.os === 'linux');
  const amd64 = await direct(first, `pulled/busybox/manifests/${entry.digest}`);
  const pushed = await direct(second, 'pushed/busybox/manifests/1');
  return { index, entry, amd64, pushed };
}

// What the tests below need is installed by scripts/test: its absence is a failure, not a skip.
test('the proxy binary and three registries without CORS are there', () => {
  assert.equal(unavailable, undefined, unavailable);
});

describe('the page served by digestlens-proxy', { skip: unavailable }, () => {
  let proxy;
  let browser;
  let app;
  before(async () => {
    proxy = await startProxy();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await proxy?.stop();
  });
  beforeEach(async () => {
    // Nothing but the proxy's own origin may be asked: every registry request goes through it.
    app = await AppPage.open(browser.context, proxy.origin);
  });
  afterEach(async () => {
    const current = app;
    app = undefined;
    await current?.close();
  });

  /** Types `reference`, presses Enter and waits until the fetch has settled. */
  async function fetchReference(reference) {
    const page = app.page;
    await page.fill('[data-testid="reference"]', reference);
    await page.press('[data-testid="reference"]', 'Enter');
    await app.until(
      () => page.locator('[data-testid="progress"]:not([data-state="running"])').waitFor(),
      `the fetch of ${reference} to settle`,
    );
  }

  test('with no setting typed, the page fetches through the proxy it came with and shows the registry digests', async () => {
    const page = app.page;
    await app.until(() => page.locator('[data-testid="via-proxy"]').waitFor(), 'the note that requests go through the proxy');
    const note = await page.textContent('[data-testid="via-proxy"]');
    assert.match(note, /through the proxy this page came with \(digestlens-proxy \d+\.\d+\.\d+/);
    assert.equal(await page.inputValue('[data-testid="proxy"]'), '', 'no prefix was typed');

    const image = first.images['demo/multi:1'];
    await fetchReference(`${first.host}/demo/multi:1`);
    const docs = await app.waitForDocuments((d) => d.length >= 4, 'the index, its manifests and configs');
    const shown = docs.map((d) => d.digest);
    assert.equal(shown[0], image.digest, "the index's digest is the registry's Docker-Content-Digest (summary.json)");
    const index = await direct(first, 'demo/multi/manifests/1');
    assert.equal(sha256(index.bytes), image.digest, 'the registry serves the bytes summary.json names');
    for (const entry of index.json.manifests) {
      const manifest = await direct(first, `demo/multi/manifests/${entry.digest}`);
      assert.ok(shown.includes(manifest.digest), `the page shows ${entry.platform.architecture}'s ${manifest.digest}`);
    }
    assert.ok(
      [...app.fetched].some((p) => p === `/proxy/http://${first.host}/v2/demo/multi/manifests/1`),
      `the manifest came through /proxy/: ${[...app.fetched].join(' ')}`,
    );
    assert.deepEqual(await app.texts('error'), []);
  });

  test('a CORS proxy prefix typed in the settings wins over the proxy the page came with', async () => {
    const page = app.page;
    await app.until(() => page.locator('[data-testid="via-proxy"][data-via="companion"]').waitFor(), 'the companion note');
    await page.locator('.fetch-settings').evaluate((d) => {
      d.open = true;
    });
    // The same proxy, named by another spelling of its address: the typed prefix is what requests use.
    const typed = `http://localhost:${PORTS.proxy}/proxy/`;
    await page.fill('[data-testid="proxy"]', typed);
    await app.until(() => page.locator('[data-testid="via-proxy"][data-via="typed"]').waitFor(), 'the typed-prefix note');
    assert.match(await page.textContent('[data-testid="via-proxy"]'), new RegExp(`CORS proxy prefix set below: ${typed}`));
    await page.fill('[data-testid="proxy"]', '');
    await app.until(() => page.locator('[data-testid="via-proxy"][data-via="companion"]').waitFor(), 'the companion note again');
  });

  test('layers are verified through the proxy against the digests the registry answers', async () => {
    const page = app.page;
    await fetchReference(`${first.host}/demo/oci:1`);
    await app.waitForDigests(2);
    const manifest = await direct(first, 'demo/oci/manifests/1');
    const blobs = await Promise.all(
      manifest.json.layers.map((l) => direct(first, `demo/oci/blobs/${l.digest}`, '*/*')),
    );
    await app.click('verify-layers');
    const deadline = Date.now() + WAIT_MS;
    let rows;
    for (;;) {
      app.throwIfProblems();
      rows = await page.evaluate(() =>
        [...document.querySelectorAll('[data-testid="layer-result"][data-index]')].map((row) => ({
          state: row.dataset.state,
          digest: row.querySelector('[data-testid="measured-digest"]')?.textContent.trim() ?? null,
        })),
      );
      if (rows.length > 0 && rows.every((r) => ['verified', 'mismatch', 'error'].includes(r.state))) break;
      if (Date.now() > deadline) throw new Error(`the layers did not settle: ${JSON.stringify(rows)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(rows.map((r) => r.state), blobs.map(() => 'verified'));
    assert.deepEqual(rows.map((r) => r.digest), blobs.map((b) => b.digest), "each layer's digest is the registry's");
    assert.deepEqual(rows.map((r) => r.digest), blobs.map((b) => sha256(b.bytes)));
    // The registry sends no CORS header, so a browser could not have read these blobs from it directly:
    // the worker's downloads went through the proxy, as the keyring's settings from the walk say.
  });

  test("layer sizes are estimated through the proxy (it forwards Range): the ISIZE Python's gzip reads", async () => {
    const page = app.page;
    await fetchReference(`${first.host}/demo/oci:1`);
    await app.waitForDigests(2);
    const manifest = await direct(first, 'demo/oci/manifests/1');
    const script = 'import gzip, struct, sys\nd = sys.stdin.buffer.read()\nassert struct.unpack("<I", d[-4:])[0] == len(gzip.decompress(d))\nprint(len(gzip.decompress(d)))';
    const want = await Promise.all(
      manifest.json.layers.map(async (l) => {
        const blob = await direct(first, `demo/oci/blobs/${l.digest}`, '*/*');
        return Number(execFileSync('python3', ['-c', script], { input: blob.bytes }).toString().trim());
      }),
    );
    await app.click('estimate-sizes');
    const deadline = Date.now() + WAIT_MS;
    let shown;
    for (;;) {
      app.throwIfProblems();
      shown = await page.$$eval('[data-testid="layer-result"][data-index] [data-testid="layer-estimate"]', (rows) =>
        rows.map((e) => ({ state: e.dataset.state, bytes: Number(e.dataset.bytes), problem: e.dataset.problem ?? null })),
      );
      if (shown.length === want.length && shown.every((e) => e.state !== undefined)) break;
      if (Date.now() > deadline) throw new Error(`no estimates: ${JSON.stringify(shown)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(shown, want.map((bytes) => ({ state: 'estimate', bytes, problem: null })));
    for (const layer of manifest.json.layers) {
      assert.ok(
        [...app.fetched].includes(`/proxy/http://${first.host}/v2/demo/oci/blobs/${layer.digest}`),
        `the Range request for ${layer.digest} went through /proxy/`,
      );
    }
  });

  test('a registry that asks for a password gets the page\'s own sentence, never the browser\'s sign-in box', async () => {
    // Through the proxy the registry's 401 comes from the page's own origin: a `Basic` challenge there
    // makes a browser ask for a user name itself (and the fetch waits on that box until it times out)
    // unless the request carries no browser credentials at all.
    const page = app.page;
    await page.locator('.fetch-settings').evaluate((d) => {
      d.open = true;
    });
    await page.fill('[data-testid="timeout"]', '60');
    const asked = Date.now();
    await fetchReference(`${locked.host}/demo/oci:1`);
    const errors = await app.texts('error');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], /asks for a user name and password \(Basic authentication\)/);
    assert.ok(Date.now() - asked < WAIT_MS, `answered in ${Date.now() - asked} ms, not after the timeout`);

    await page.fill('[data-testid="username"]', 'digestlens');
    await page.fill('[data-testid="password"]', 'digestlens');
    await fetchReference(`${locked.host}/demo/oci:1`);
    const docs = await app.waitForDocuments((d) => d.length >= 2, 'the manifest and its config');
    assert.equal(docs[0].digest, locked.images['demo/oci:1'].digest, "the registry's Docker-Content-Digest");
    assert.deepEqual(await app.texts('error'), []);
  });

  test('a registry the proxy does not allow is refused with a sentence naming the host and the flag', async () => {
    await fetchReference(`${NOT_ALLOWED}/demo/oci:1`);
    const errors = await app.page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="error"]')].map((e) => ({ kind: e.dataset.kind, text: e.textContent.trim() })),
    );
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].kind, 'proxy-refused');
    assert.match(errors[0].text, /The registry proxy refused to forward this request to 127\.0\.0\.3:5899/);
    assert.match(errors[0].text, /--allow-registry 127\.0\.0\.3:5899/);
    assert.doesNotMatch(errors[0].text, /CORS/);
  });

  test('two references, one answer: an index against its amd64 image pulled and pushed elsewhere', async () => {
    const pair = await pushPair();
    assert.notEqual(pair.pushed.digest, pair.amd64.digest, 'the push wrote other manifest bytes');
    assert.equal(pair.pushed.json.config.digest, pair.amd64.json.config.digest, 'the registries hold the same config');
    const recompressed = pair.amd64.json.layers.filter((l, i) => l.digest !== pair.pushed.json.layers[i]?.digest);
    assert.ok(recompressed.length > 0, 'the layers were compressed again');

    const page = app.page;
    await page.fill('[data-testid="reference-a"]', `${first.host}/pulled/busybox:1`);
    await page.fill('[data-testid="reference-b"]', `${second.host}/pushed/busybox:1`);
    await app.click('compare-images-button');
    const scope = '[data-testid="compare-images"]';
    const verdict = await app.waitForVerdict(scope, (v) => v.slug !== null, 'the two images compared', 3 * WAIT_MS);
    const findings = await page.evaluate(
      (sel) => [...document.querySelectorAll(`${sel} [data-finding]`)].map((f) => f.dataset.finding),
      scope,
    );
    console.log(`# two references compared: ${await page.textContent(`${scope} [data-testid="pair-summary"]`)}`);
    assert.deepEqual(findings, ['index-vs-platform-manifest', 'reserialized', 'recompressed', 'same-image-id'], verdict.text);
    assert.match(verdict.text, /Index vs platform manifest: A is the multi-platform index/);
    assert.match(verdict.text, /B is A's linux\/amd64 manifest re-serialized/);
    assert.ok(verdict.text.includes(pair.entry.digest), "the verdict names A's amd64 entry by the index's digest");
    assert.match(verdict.text, new RegExp(`${recompressed.length} of ${pair.amd64.json.layers.length} layer blobs have other digests`));
    assert.ok(verdict.text.includes(`same Image ID (${pair.pushed.json.config.digest})`), verdict.text);
    const compared = await page.evaluate((sel) => {
      const row = document.querySelector(`${sel} [data-testid="evidence-row"][data-label="digest"]`);
      return [...row.querySelectorAll('code')].map((c) => c.textContent.trim());
    }, scope);
    assert.deepEqual(compared, [pair.amd64.digest, pair.pushed.digest], "the registries' digests of the two manifests compared");
  });

  test('two references, one layer table: each layer of the pulled-and-pushed pair is recompressed, and "Why?" names the compression only', async () => {
    const pair = await pushPair();
    /** Per layer: the registry's Docker-Content-Digest, and the config's diff_id beside the sha256 of `gzip -dc` (node's zlib). */
    const facts = async (registry, repository, manifest) => {
      const config = JSON.parse((await direct(registry, `${repository}/blobs/${manifest.config.digest}`)).bytes);
      return Promise.all(
        manifest.layers.map(async (layer, i) => {
          const blob = await direct(registry, `${repository}/blobs/${layer.digest}`);
          assert.equal(config.rootfs.diff_ids[i], sha256(gunzipSync(blob.bytes)), `diff_id ${i} is the sha256 of the content`);
          return { digest: blob.digest, diffId: config.rootfs.diff_ids[i] };
        }),
      );
    };
    const [pulled, pushed] = await Promise.all([
      facts(first, 'pulled/busybox', pair.amd64.json),
      facts(second, 'pushed/busybox', pair.pushed.json),
    ]);

    const page = app.page;
    await page.fill('[data-testid="reference-a"]', `${first.host}/pulled/busybox:1`);
    await page.fill('[data-testid="reference-b"]', `${second.host}/pushed/busybox:1`);
    await app.click('compare-images-button');
    const rowsSelector = '[data-testid="compare-images"] [data-testid="layer-pairs"] [data-testid="layer-pairs-row"]';
    await app.until(
      () => page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length === n, [rowsSelector, pulled.length]),
      'a row per layer',
    );
    const rows = await page.locator(rowsSelector).evaluateAll((all) => all.map((r) => ({ ...r.dataset, text: r.textContent })));
    for (const [i, row] of rows.entries()) {
      assert.equal(row.status, 'recompressed', row.text);
      assert.deepEqual([row.digestA, row.digestB], [pulled[i].digest, pushed[i].digest], "the registries' blob digests");
      assert.deepEqual([row.diffIdA, row.diffIdB], [pulled[i].diffId, pushed[i].diffId], "the configs' diff_ids");
    }
    await app.until(
      () => page.click(`${rowsSelector}[data-index="0"] [data-testid="layer-pair-why-button"]`),
      '"Why?" of layer 0',
    );
    const answer = page.locator('[data-testid="compare-images"] [data-testid="layer-pair-why"]');
    await app.until(() => answer.waitFor({ timeout: 2 * WAIT_MS }), 'the answer to "Why?"');
    const text = (await answer.textContent()).trim();
    console.log(`# why layer 0 differs: ${text}`);
    assert.equal(await answer.getAttribute('data-reason'), 'compression-only', text);
    assert.match(text, /Same content, different compression/);
    assert.doesNotMatch(text, /files differ|modification times|owners|modes/i);
  });
});
