// End-to-end: a person types an image reference and the built page fetches it from a real registry
// (Debian's docker-registry, distribution 2.8.2, started here on 127.0.0.1:5601-5603 and filled by
// scripts/make-images), walks it down to the configs, and checks every body against the registry's
// Docker-Content-Digest. Expected digests come from the registry (make-images' summary.json, read with
// curl; node's fetch for the walk), never from the page. Each failure a user can meet gets its message.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { AppPage, launchBrowser, useApp, WAIT_MS } from './lib/harness.mjs';
import { sha256 } from './lib/expected.mjs';
import { MANIFEST_ACCEPT, registryView, startCorsProxy, startRegistry, startSilentServer, startTokenRegistry } from './lib/registries.mjs';

const PORTS = { cors: Number(process.env.E2E_FETCH_PORT ?? 5601) };
PORTS.nocors = PORTS.cors + 1;
PORTS.htpasswd = PORTS.cors + 2;

const started = await Promise.allSettled(
  ['cors', 'nocors', 'htpasswd'].map((mode) => startRegistry({ port: PORTS[mode], mode })),
);
const [cors, nocors, auth] = started.map((s) => (s.status === 'fulfilled' ? s.value : null));
const token = cors && (await startTokenRegistry({ storage: cors.storage }).catch((err) => ({ failed: err.message })));
const unavailable = started.find((s) => s.status === 'rejected')?.reason?.message ?? token?.failed;
const proxy = await startCorsProxy([cors?.origin, nocors?.origin, token?.origin, token?.tokenOrigin].filter(Boolean), {
  redirectTo: nocors?.origin,
});
const silent = await startSilentServer();

after(async () => {
  await token?.stop?.();
  await Promise.all([cors, nocors, auth].map((r) => r?.stop()));
  await proxy.close();
  await silent.close();
});

const run = promisify(execFile);

/**
 * What the registry and the tools say about an image's layers: each blob's Docker-Content-Digest (node's
 * fetch from `origin`), `sha256sum` of its bytes and `gzip -dc | sha256sum` of its content, beside the
 * config's diff_ids.
 */
async function layerFacts(origin, repository, tag) {
  const get = async (path, accept) => {
    const res = await fetch(`${origin}/v2/${repository}/${path}`, { headers: accept ? { accept } : {} });
    assert.equal(res.status, 200, `GET ${path}`);
    return { bytes: Buffer.from(await res.arrayBuffer()), digest: res.headers.get('docker-content-digest') };
  };
  const manifest = JSON.parse((await get(`manifests/${tag}`, MANIFEST_ACCEPT)).bytes);
  const diffIds = JSON.parse((await get(`blobs/${manifest.config.digest}`)).bytes).rootfs.diff_ids;
  const dir = await mkdtemp(join(tmpdir(), 'digestlens-e2e-layers-'));
  try {
    return await Promise.all(
      manifest.layers.map(async (layer, i) => {
        assert.match(layer.mediaType, /gzip$/, 'the demo image has gzip layers');
        const blob = await get(`blobs/${layer.digest}`);
        const path = join(dir, `layer-${i}`);
        await writeFile(path, blob.bytes);
        const sum = async (command) => `sha256:${(await run('sh', ['-c', command, 'sh', path])).stdout.split(' ')[0]}`;
        return {
          registryDigest: blob.digest,
          sha256sum: await sum('sha256sum "$1"'),
          gunzipSha256sum: await sum('gzip -dc "$1" | sha256sum'),
          diffId: diffIds[i],
        };
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const IMAGES = ['demo/oci:1', 'demo/docker:1', 'demo/zstd:1', 'demo/multi:1', 'demo/multi-docker:1'];

describe('fetching from a registry', { skip: unavailable }, () => {
  // Real preflights: with routing on, Playwright would answer every OPTIONS itself, hiding how a
  // registry answers them (distribution with a login answers 401).
  const app = useApp({
    allowedOrigins: [cors?.origin, nocors?.origin, auth?.origin, proxy.origin, silent.origin].filter(Boolean),
    realPreflights: true,
  });

  /** Opens `link` in a browser of its own (nothing shared with the page that made it) and runs `check`. */
  async function inFreshBrowser(link, check) {
    const fresh = await launchBrowser();
    try {
      const url = new URL(link);
      const opened = await AppPage.open(fresh.context, app().origin, {
        path: url.pathname + url.hash,
        allowedOrigins: [cors.origin],
        realPreflights: true,
      });
      await check(opened);
      await opened.close();
    } finally {
      await fresh.close();
    }
  }

  /** Opens the settings and fills them (proxy prefix, timeout, credentials) as a user types them. */
  async function settings({ proxyPrefix = '', timeout = 30, username = '', password = '' } = {}) {
    const page = app().page;
    await page.locator('.fetch-settings').evaluate((d) => {
      d.open = true;
    });
    await page.fill('[data-testid="proxy"]', proxyPrefix);
    await page.fill('[data-testid="timeout"]', String(timeout));
    await page.fill('[data-testid="username"]', username);
    await page.fill('[data-testid="password"]', password);
  }

  /** Types `reference`, presses Enter and waits until the fetch has settled; returns the progress shown. */
  async function fetchReference(reference, options) {
    const page = app().page;
    await settings(options);
    await page.fill('[data-testid="reference"]', reference);
    const enter = performance.now();
    await page.press('[data-testid="reference"]', 'Enter');
    await app().until(
      () => page.locator('[data-testid="progress"]:not([data-state="running"])').waitFor(),
      `the fetch of ${reference} to settle`,
    );
    return { ...(await progress()), wallMs: performance.now() - enter };
  }

  /** Every layer row of the page's layer panels: state, what was measured, messages. */
  async function layerRows() {
    return app().page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="layer-result"][data-index]')].map((row) => ({
        state: row.dataset.state,
        digest: row.querySelector('[data-testid="measured-digest"]')?.textContent.trim() ?? null,
        diffId: row.querySelector('[data-testid="measured-diff-id"]')?.textContent.trim() ?? null,
        messages: [...row.querySelectorAll('[data-testid="layer-message"]')].map((m) => m.textContent.trim()),
      })),
    );
  }

  /** Presses "Verify layers" (after typing `reference`, if given) and waits until every layer row has settled. */
  async function verifyLayers(reference) {
    const page = app().page;
    if (reference) await page.fill('[data-testid="blob-registry"]', reference);
    await app().click('verify-layers');
    const settled = (rows) => rows.length > 0 && rows.every((r) => ['verified', 'mismatch', 'error', 'cancelled'].includes(r.state));
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      app().throwIfProblems();
      const rows = await layerRows();
      if (settled(rows)) return rows;
      if (Date.now() > deadline) throw new Error(`the layers did not settle: ${JSON.stringify(rows)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Records every request URL and console message of the page and its workers, from now on. */
  function watchSecrets() {
    const seen = { urls: [], console: [] };
    const page = app().page;
    page.on('request', (r) => seen.urls.push(r.url()));
    page.on('console', (m) => seen.console.push(m.text()));
    page.on('worker', (w) => w.on('console', (m) => seen.console.push(m.text())));
    for (const w of page.workers()) w.on('console', (m) => seen.console.push(m.text()));
    return seen;
  }

  /** What the page keeps: its storage and the (inflated) permalink. */
  async function kept() {
    const page = app().page;
    const storage = await page.evaluate(() => ({
      local: Object.keys(localStorage),
      session: Object.keys(sessionStorage),
      text: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    }));
    const link = await page.inputValue('[data-testid="permalink"]');
    const payload = Buffer.from(link.split('#v1.')[1] ?? '', 'base64url');
    const permalink = inflateRawSync(payload.subarray(0, payload.length - 4)).toString('latin1');
    return { ...storage, link, permalink };
  }

  async function progress() {
    return app().page.evaluate(() => {
      const p = document.querySelector('[data-testid="progress"]');
      return p && { state: p.dataset.state, done: Number(p.dataset.done), total: Number(p.dataset.total), text: p.textContent.trim() };
    });
  }

  /** Every error message shown: its kind and text. */
  async function errors() {
    return app().page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="error"]')].map((e) => ({ kind: e.dataset.kind, text: e.textContent.trim() })),
    );
  }

  /** The shown documents with their verification. */
  async function fetchedDocuments() {
    const docs = await app().documents();
    const checks = await app().page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="document"]')].map((doc) => {
        const v = doc.querySelector('[data-testid="verification"]');
        const outcome = (id) => v?.querySelector(`[data-testid="${id}"]`)?.dataset.outcome ?? null;
        return {
          title: doc.querySelector('h2')?.textContent.trim(),
          state: v?.dataset.state ?? null,
          header: outcome('header-check'),
          requested: outcome('requested-check'),
          size: outcome('size-check'),
          verificationText: v?.textContent ?? '',
        };
      }),
    );
    return docs.map((d, i) => ({ ...d, ...checks[i] }));
  }

  for (const name of IMAGES) {
    test(`${name} by tag: the top digest is the registry's, and every document is verified`, async () => {
      const [repository, tag] = name.split(':');
      const view = await registryView(cors.origin, repository, tag);
      assert.equal(view.top, cors.images[name].digest, 'node and curl read the same digest');
      const shown = await fetchReference(`${cors.host}/${name}`);
      assert.equal(shown.state, 'finished', shown.text);
      assert.deepEqual(await errors(), []);
      const docs = await fetchedDocuments();
      assert.equal(docs[0].digest, cors.images[name].digest);
      assert.equal(docs[0].title, `${cors.host}/${name}`);
      assert.deepEqual(
        docs.map((d) => d.digest).sort(),
        [view.top, ...view.manifests, ...view.configs].sort(),
      );
      for (const doc of docs) {
        assert.equal(doc.state, 'verified', `${doc.title}: ${doc.verificationText}`);
        assert.equal(doc.header, 'matches', doc.title);
      }
      assert.equal(docs[0].requested, 'none', 'fetched by tag: no digest was asked for');
      assert.ok(docs.slice(1).every((d) => d.requested === 'matches' && d.size === 'matches'));
    });
  }

  test('the walk of an OCI index fetches index, 3 manifests and 3 configs in 3 rounds, with progress', async () => {
    const page = app().page;
    await page.evaluate(() => {
      window.__progressSeen = [];
      new MutationObserver(() => {
        const p = document.querySelector('[data-testid="progress"]');
        if (p) window.__progressSeen.push(`${p.dataset.done}/${p.dataset.total}`);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    const requests = [];
    // The referrers lookups (referrers API, referrers tag, cosign tags) run beside the walk and are
    // tested in referrers.test.mjs; this counts the walk's own GETs.
    const referrerLookup = (url) => /\/referrers\/|\/manifests\/sha256-/.test(new URL(url).pathname);
    const registryGets = (r) => r.method() === 'GET' && new URL(r.url()).origin === cors.origin && !referrerLookup(r.url());
    page.on('request', (r) => registryGets(r) && requests.push({ url: r.url(), start: performance.now(), end: null }));
    page.on('requestfinished', (r) => {
      const entry = registryGets(r) && requests.find((q) => q.url === r.url() && q.end === null);
      if (entry) entry.end = performance.now();
    });
    const shown = await fetchReference(`${cors.host}/demo/multi:1`);
    assert.equal(shown.state, 'finished');
    assert.match(shown.text, /^7 of 7 fetched in \d+ ms$/);
    const docs = await fetchedDocuments();
    assert.deepEqual(docs.map((d) => d.kind), ['oci-index', 'oci-manifest', 'oci-manifest', 'oci-manifest', 'oci-config', 'oci-config', 'oci-config']);
    assert.deepEqual(docs.map((d) => d.title), [
      `${cors.host}/demo/multi:1`,
      ...['linux/amd64', 'linux/arm64', 'linux/arm/v7'].map((p) => `${cors.host}/demo/multi:1 · ${p}`),
      ...['linux/amd64', 'linux/arm64', 'linux/arm/v7'].map((p) => `${cors.host}/demo/multi:1 · config of ${p}`),
    ]);
    const seen = await page.evaluate(() => window.__progressSeen);
    assert.ok(seen.includes('1/4') && seen.includes('4/7') && seen.at(-1) === '7/7', `progress seen: ${seen.join(' ')}`);

    // Sequential depth of the GETs: a request depends on those that finished before it started.
    assert.equal(requests.length, 7, JSON.stringify(requests));
    const depth = new Map();
    for (const r of requests) {
      const before = requests.filter((q) => q !== r && q.end !== null && q.end <= r.start);
      depth.set(r, 1 + Math.max(0, ...before.map((q) => depth.get(q) ?? 1)));
    }
    const rounds = Math.max(...depth.values());
    assert.equal(rounds, 3, 'index, then the 3 manifests together, then the 3 configs together');
    console.log(`# demo/multi walk: ${requests.length} GETs in ${rounds} sequential rounds, ${shown.wallMs.toFixed(0)} ms from Enter to finished as seen by the test (page says: ${shown.text})`);
  });

  test('fetching by @digest checks the bytes against the digest asked for', async () => {
    const digest = cors.images['demo/docker:1'].digest;
    const shown = await fetchReference(`${cors.host}/demo/docker@${digest}`);
    assert.equal(shown.state, 'finished');
    const [top] = await fetchedDocuments();
    assert.equal(top.digest, digest);
    assert.equal(top.state, 'verified');
    assert.equal(top.requested, 'matches');
    assert.equal(top.header, 'matches');
  });

  test('a permalink of a fetched image re-fetches it by the digest seen and verifies it in a fresh browser', async () => {
    const name = 'demo/multi:1';
    await fetchReference(`${cors.host}/${name}`);
    const expected = (await fetchedDocuments()).map((d) => d.digest).sort();
    const link = await app().page.inputValue('[data-testid="permalink"]');
    assert.ok(link.includes('#v1.'), link);
    await inFreshBrowser(link, async (opened) => {
      const docs = await opened.waitForDocuments(
        (d) => JSON.stringify(d.map((x) => x.digest).sort()) === JSON.stringify(expected),
        `the ${expected.length} documents of ${name} fetched again`,
      );
      assert.equal(docs[0].digest, cors.images[name].digest);
      const requested = await opened.page.evaluate(
        () => document.querySelector('[data-testid="verification"] [data-testid="requested-check"]')?.dataset.outcome,
      );
      assert.equal(requested, 'matches', 'the top manifest was asked for by the digest in the link');
    });
  });

  test('a permalink of two fetched images fetches both again, each by the digest seen', async () => {
    const permalink = () => app().page.inputValue('[data-testid="permalink"]');
    await fetchReference(`${cors.host}/demo/oci:1`);
    await app().until(() => app().page.waitForFunction(() => document.querySelector('[data-testid="permalink"]')?.value), 'a link');
    const first = await permalink();
    await fetchReference(`${cors.host}/demo/docker:1`);
    const expected = (await fetchedDocuments()).map((d) => d.digest).sort();
    const tops = [cors.images['demo/oci:1'].digest, cors.images['demo/docker:1'].digest];
    assert.ok(tops.every((d) => expected.includes(d)), 'both images are loaded');
    await app().until(
      () => app().page.waitForFunction((before) => document.querySelector('[data-testid="permalink"]')?.value !== before, first),
      'the link with both images',
    );
    const link = await permalink();
    await inFreshBrowser(link, async (opened) => {
      const entries = await opened.page.evaluate(() => history.length);
      await opened.waitForDocuments(
        (d) => JSON.stringify(d.map((x) => x.digest).sort()) === JSON.stringify(expected),
        `the ${expected.length} documents of both images fetched again`,
      );
      // The link made again from the re-fetched documents is the same link (the page writes it after
      // a short pause), so opening it added no history entry.
      await opened.until(
        () => opened.page.waitForFunction((same) => document.querySelector('[data-testid="permalink"]')?.value === same, link),
        'the same link',
      );
      assert.equal(await opened.page.evaluate(() => history.length), entries, 'no history entry was added');
    });
  });

  test('Back and Forward between two analyses of one fetched image fetch it again each time', async () => {
    const page = app().page;
    await fetchReference(`${cors.host}/demo/oci:1`);
    const fetched = (await fetchedDocuments()).map((d) => d.digest).sort();
    /** Waits until the address bar carries the link the page shows, other than `before`. */
    const settledLink = async (before) => {
      await app().until(
        () =>
          page.waitForFunction((b) => {
            const shown = document.querySelector('[data-testid="permalink"]')?.value;
            return shown && shown === location.href && shown !== b;
          }, before),
        'the link in the address bar',
      );
      return page.url();
    };
    const first = await settledLink('');
    // A pasted document makes a second analysis (a history entry of its own) that pins the same image.
    const text = '{"note": "a second analysis"}';
    await app().paste(text);
    const both = [...fetched, sha256(Buffer.from(text))].sort();
    const shows = (digests, what) =>
      app().waitForDocuments((d) => JSON.stringify(d.map((x) => x.digest).sort()) === JSON.stringify(digests), what);
    await shows(both, 'the second analysis');
    await settledLink(first);
    await page.goBack();
    await shows(fetched, 'the first analysis, fetched again');
    await page.goForward();
    await shows(both, 'the second analysis, its image fetched again');
  });

  test('a comparison of two fetched documents travels by digest and fills in when the fresh page fetches them again', async () => {
    const name = 'demo/multi:1';
    await fetchReference(`${cors.host}/${name}`);
    const docs = await fetchedDocuments();
    const arm64 = docs.find((d) => d.title === `${cors.host}/${name} · linux/arm64`);
    assert.equal(arm64.state, 'verified', "the arm64 manifest matched the registry's Docker-Content-Digest");
    const before = app().page.url();
    await app().pickOption('pick-a', `${cors.host}/${name} — `);
    await app().pickOption('pick-b', `${cors.host}/${name} · linux/arm64 — `);
    await app().waitForVerdict('[data-testid="comparison"]', () => true);
    const deadline = Date.now() + 5000;
    while (app().page.url() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 40));
    const link = app().page.url();
    assert.notEqual(link, before, 'the address bar follows the comparison');
    await inFreshBrowser(link, async (opened) => {
      const shown = await opened.until(
        () =>
          opened.page
            .waitForFunction(() => {
              const digests = ['a', 'b'].map((s) => document.querySelector(`[data-testid="digest-${s}"]`)?.textContent.trim());
              return digests.every(Boolean) && digests;
            })
            .then((handle) => handle.jsonValue()),
        'both sides filled by the documents fetched again',
      );
      assert.deepEqual(shown, [cors.images[name].digest, arm64.digest]);
    });
  });

  test('a wrong @digest is a manifest the registry does not have', async () => {
    const wrong = `sha256:${'0'.repeat(64)}`;
    await fetchReference(`${cors.host}/demo/oci@${wrong}`);
    assert.equal(await app().page.inputValue('[data-testid="reference"]'), `${cors.host}/demo/oci@${wrong}`, 'the typed reference stays');
    const [error] = await errors();
    assert.equal(error.kind, 'manifest-unknown');
    assert.match(error.text, /no such tag or digest \(404 MANIFEST_UNKNOWN\)/);
    assert.equal((await app().documents()).length, 0);
  });

  test('an Image ID (or a layer digest) typed where a manifest digest belongs is named as a blob of the repository', async () => {
    // distribution 2.8 answers a manifest request for a blob's digest with 500 UNKNOWN; the digests
    // and sizes expected here are the registry's own: its manifest, and a HEAD on each blob.
    const manifest = await fetch(`${cors.origin}/v2/demo/oci/manifests/1`, { headers: { accept: MANIFEST_ACCEPT } }).then((r) => r.json());
    for (const blob of [manifest.config.digest, manifest.layers[0].digest]) {
      const asManifest = await fetch(`${cors.origin}/v2/demo/oci/manifests/${blob}`, { headers: { accept: MANIFEST_ACCEPT } });
      assert.notEqual(asManifest.status, 200, 'the registry has no manifest with that digest');
      const head = await fetch(`${cors.origin}/v2/demo/oci/blobs/${blob}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      await fetchReference(`${cors.host}/demo/oci@${blob}`);
      const shown = await errors();
      assert.equal(shown.length, 1, JSON.stringify(shown));
      assert.equal(shown[0].kind, 'digest-is-blob');
      assert.ok(shown[0].text.includes(`${blob} is not a manifest in this repository`), shown[0].text);
      assert.ok(shown[0].text.includes(`a blob of ${head.headers.get('content-length')} bytes`), shown[0].text);
      assert.match(shown[0].text, /Image ID/);
      assert.equal((await app().documents()).length, 0);
    }
  });

  test('bytes altered on the way are shown loudly as content that does not match', async () => {
    const digest = cors.images['demo/oci:1'].digest;
    await fetchReference(`${cors.host}/demo/oci@${digest}`, { proxyPrefix: `${proxy.origin}/tamper/` });
    const shownErrors = await errors();
    assert.equal(shownErrors[0]?.kind, 'mismatch', JSON.stringify(shownErrors));
    assert.match(shownErrors[0].text, /the registry served content that does not match/);
    assert.ok(shownErrors[0].text.includes(`${digest} was asked for, but the bytes received hash to`), shownErrors[0].text);
    const [top, config] = await fetchedDocuments();
    assert.notEqual(top.digest, digest);
    assert.equal(top.state, 'mismatch');
    assert.equal(top.header, 'mismatch', 'the registry header names the original bytes');
    assert.equal(top.requested, 'mismatch');
    assert.equal(config.state, 'verified', 'the config blob passed the proxy untouched');
    await settings();
  });

  test('an unknown repository is named as such', async () => {
    await fetchReference(`${cors.host}/demo/nothing-here:1`);
    const [error] = await errors();
    assert.equal(error.kind, 'name-unknown');
    assert.match(error.text, /there is no repository `demo\/nothing-here` on 127\.0\.0\.1:\d+ \(404 NAME_UNKNOWN\)/);
  });

  test('an unknown tag is named as such', async () => {
    await fetchReference(`${cors.host}/demo/oci:nope`);
    const [error] = await errors();
    assert.equal(error.kind, 'manifest-unknown');
    assert.ok(error.text.includes(`${cors.host}/demo/oci:nope`), error.text);
  });

  test('a registry without CORS headers gets the CORS message with config, proxy and commands', async () => {
    const reference = `${nocors.host}/demo/oci:1`;
    await fetchReference(reference);
    const [error, ...more] = await errors();
    assert.deepEqual(more, []);
    assert.equal(error.kind, 'cors-blocked');
    assert.match(error.text, /does not allow reads from web pages \(CORS\)/);
    const page = app().page;
    const configs = await page.locator('[data-testid="error"] [data-testid="registry-config"]').allTextContents();
    assert.ok(configs[0].includes(`Access-Control-Allow-Origin: ['${app().origin}']`), configs[0]);
    assert.ok(configs[0].includes("Access-Control-Expose-Headers: ['Docker-Content-Digest', 'WWW-Authenticate']"));
    assert.ok(configs[1].includes(`"allowOrigin": "${app().origin}"`), configs[1]);
    const commands = await page.locator('[data-testid="error"] [data-testid="command"]').allTextContents();
    assert.deepEqual(commands.slice(0, 4), [
      `crane manifest --insecure ${reference}`,
      `regctl registry set --tls disabled ${nocors.host} && regctl manifest get ${reference} --format raw-body`,
      `skopeo inspect --tls-verify=false --raw docker://${reference}`,
      `oras manifest fetch --plain-http ${reference}`,
    ]);
    assert.match(commands[4], /^curl -fsSL -H 'Accept: application\/vnd\.oci\.image\.index\.v1\+json, .*' http:\/\/127\.0\.0\.1:\d+\/v2\/demo\/oci\/manifests\/1$/);
    await page.getByRole('button', { name: 'Set a CORS proxy prefix…' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'proxy');
  });

  test('the same registry read through a CORS proxy prefix is verified', async () => {
    const name = 'demo/oci:1';
    await fetchReference(`${nocors.host}/${name}`, { proxyPrefix: `${proxy.origin}/` });
    assert.deepEqual(await errors(), []);
    const docs = await fetchedDocuments();
    assert.equal(docs[0].digest, nocors.images[name].digest);
    assert.ok(docs.every((d) => d.state === 'verified'));
    const stored = await app().page.evaluate(() => localStorage.getItem('digestlens.corsProxy'));
    assert.equal(stored, `${proxy.origin}/`, 'the proxy setting is kept in local storage');
    assert.ok(!app().page.url().includes('127.0.0.1:' + proxy.port), 'and not in the page URL');
    await settings();
  });

  test('a blob sent on to storage that does not allow web pages is told apart from CORS', async () => {
    const name = 'demo/oci:1';
    await fetchReference(`${cors.host}/${name}`, { proxyPrefix: `${proxy.origin}/redirect/` });
    const shownErrors = await errors();
    assert.equal(shownErrors.length, 1, JSON.stringify(shownErrors));
    assert.equal(shownErrors[0].kind, 'redirect-blocked');
    assert.match(shownErrors[0].text, /^config \(sha256:[0-9a-f]{64}\): The registry sent the download on to another server/);
    const commands = await app().page.locator('[data-testid="error"] [data-testid="command"]').allTextContents();
    assert.match(commands[0], new RegExp(`^crane blob --insecure ${cors.host}/demo/oci@sha256:[0-9a-f]{64} > blob$`));
    const docs = await fetchedDocuments();
    assert.equal(docs.length, 1, 'the manifest itself arrived');
    assert.equal(docs[0].digest, cors.images[name].digest);
    await settings();
  });

  test('a registry with a login refuses the preflight, and the page says so', async () => {
    const reference = `${auth.host}/demo/oci:1`;
    await fetchReference(reference);
    const [error] = await errors();
    assert.equal(error.kind, 'preflight-refused', error.text);
    assert.match(error.text, /wants a login/);
    assert.match(error.text, /\(the CORS preflight, an OPTIONS request\) with 401/);
    assert.ok(error.text.includes(`crane manifest --insecure ${reference}`), error.text);
  });

  test('a token registry behind a CORS proxy: one anonymous token, reused by every parallel request', async () => {
    const requested = [];
    const consoleTexts = [];
    app().page.on('request', (r) => requested.push(r.url()));
    app().page.on('console', (m) => consoleTexts.push(m.text()));
    const before = token.tokensIssued.length;
    const shown = await fetchReference(`${token.host}/demo/multi:1`, { proxyPrefix: `${proxy.origin}/` });
    assert.deepEqual(await errors(), []);
    assert.equal(shown.text.startsWith('7 of 7 fetched'), true, shown.text);
    const docs = await fetchedDocuments();
    assert.equal(docs[0].digest, cors.images['demo/multi:1'].digest);
    assert.ok(docs.every((d) => d.state === 'verified'));
    assert.deepEqual(token.tokensIssued.slice(before), [{ user: 'anonymous', scopes: ['repository:demo/multi:pull'] }]);
    assert.ok(requested.some((u) => u.startsWith(`${proxy.origin}/${token.tokenOrigin}/token?`)), 'the token request went through the proxy');
    assert.ok(requested.every((u) => !/token=|eyJ/.test(u)), 'no token in any URL');
    await settings();
  });

  test('typed credentials go to the token server; a wrong password gets its own message; nothing is stored', async () => {
    const requested = [];
    const consoleTexts = [];
    app().page.on('request', (r) => requested.push(r.url()));
    app().page.on('console', (m) => consoleTexts.push(m.text()));
    const before = token.tokensIssued.length;
    await fetchReference(`${token.host}/demo/oci:1`, { proxyPrefix: `${proxy.origin}/`, username: 'digestlens', password: 'wrong-password' });
    const [error] = await errors();
    assert.equal(error.kind, 'auth');
    assert.match(error.text, /the token server refused a token for the credentials given \(HTTP 401\)/);
    assert.equal(token.tokensIssued.length, before);

    await fetchReference(`${token.host}/demo/oci:1`, { proxyPrefix: `${proxy.origin}/`, username: 'digestlens', password: 'digestlens' });
    assert.deepEqual(await errors(), []);
    assert.ok((await fetchedDocuments()).every((d) => d.state === 'verified'));
    assert.equal(token.tokensIssued.at(-1).user, 'digestlens');

    const page = app().page;
    const stored = await page.evaluate(() => ({
      local: Object.keys(localStorage),
      session: Object.keys(sessionStorage),
      values: Object.values(localStorage).join(' '),
    }));
    assert.deepEqual(stored.local, ['digestlens.corsProxy']);
    assert.deepEqual(stored.session, []);
    assert.ok(!stored.values.includes('digestlens:') && !stored.values.includes('wrong-password'));
    assert.ok(requested.every((u) => !u.includes('wrong-password') && !u.includes('ZGlnZXN0bGVuczp')), 'no credentials in any URL');
    assert.ok(!page.url().includes('digestlens@') && !page.url().includes('password'));
    // Nor in the console, an error message, or the permalink's (inflated) bytes.
    const secret = (text) => text.includes('wrong-password') || text.includes('ZGlnZXN0bGVuczp');
    assert.ok(!consoleTexts.some(secret), `console: ${consoleTexts.join(' | ')}`);
    assert.ok(!secret(error.text));
    const link = await page.inputValue('[data-testid="permalink"]');
    const payload = Buffer.from(link.split('#v1.')[1] ?? '', 'base64url');
    const inflated = inflateRawSync(payload.subarray(0, payload.length - 4)).toString('latin1');
    assert.ok(inflated.includes('demo/oci'), 'the link names the fetched image');
    assert.ok(!secret(inflated) && !inflated.includes('digestlens:digestlens'), 'no credentials in the link');
    await settings();
  });

  test('the layers of an image on a token registry behind the CORS proxy verify with the walk\'s pull token', async () => {
    const expected = await layerFacts(cors.origin, 'demo/oci', '1');
    const seen = watchSecrets();
    const before = token.tokensIssued.length;
    const reference = `${token.host}/demo/oci:1`;
    await fetchReference(reference, { proxyPrefix: `${proxy.origin}/` });
    assert.deepEqual(await errors(), []);
    const walkTokens = token.tokensIssued.slice(before);
    assert.deepEqual(walkTokens, [{ user: 'anonymous', scopes: ['repository:demo/oci:pull'] }]);
    assert.equal(await app().page.inputValue('[data-testid="blob-registry"]'), reference, 'the fetched reference is offered');

    const rows = await verifyLayers();
    assert.deepEqual(
      rows.map((r) => ({ state: r.state, digest: r.digest, diffId: r.diffId })),
      expected.map((l) => ({ state: 'verified', digest: l.registryDigest, diffId: l.diffId })),
    );
    for (const l of expected) {
      assert.equal(l.sha256sum, l.registryDigest, 'sha256sum agrees with the registry');
      assert.equal(l.gunzipSha256sum, l.diffId, 'gzip -dc | sha256sum agrees with the config');
    }
    assert.deepEqual(token.tokensIssued.slice(before), walkTokens, 'the blobs were read with the walk\'s token: no other was issued');
    const blobRequests = seen.urls.filter((u) => u.includes('/v2/demo/oci/blobs/'));
    for (const l of expected) {
      assert.ok(blobRequests.includes(`${proxy.origin}/${token.origin}/v2/demo/oci/blobs/${l.registryDigest}`), `${l.registryDigest} went through the proxy`);
    }
    assert.ok(blobRequests.every((u) => u.startsWith(`${proxy.origin}/`)), blobRequests.join(' '));
    assert.ok(seen.urls.every((u) => !/eyJ/.test(u)), 'no token in any URL');
    await settings();
  });

  test('a sibling repository\'s layers get a pull token with the credentials typed for the walk; no secret is kept or shown', async () => {
    const expected = await layerFacts(cors.origin, 'demo/docker', '1');
    const seen = watchSecrets();
    await fetchReference(`${token.host}/demo/oci:1`, { proxyPrefix: `${proxy.origin}/`, username: 'digestlens', password: 'digestlens' });
    assert.deepEqual(await errors(), []);
    assert.equal(token.tokensIssued.at(-1).user, 'digestlens');
    // The fields are emptied: the layer downloads use what the walk was given, not what is typed now.
    await settings({ proxyPrefix: `${proxy.origin}/` });
    const before = token.tokensIssued.length;
    // demo/docker holds the same layer blobs as demo/oci (scripts/make-images).
    const rows = await verifyLayers(`${token.host}/demo/docker:1`);
    assert.deepEqual(
      rows.map((r) => ({ state: r.state, digest: r.digest, diffId: r.diffId })),
      expected.map((l) => ({ state: 'verified', digest: l.registryDigest, diffId: l.gunzipSha256sum })),
    );
    assert.deepEqual(token.tokensIssued.slice(before), [{ user: 'digestlens', scopes: ['repository:demo/docker:pull'] }]);
    assert.ok(seen.urls.some((u) => u.startsWith(`${proxy.origin}/${token.origin}/v2/demo/docker/blobs/`)), 'the blob requests were seen');

    const BASIC = Buffer.from('digestlens:digestlens').toString('base64');
    const secret = (text) => text.includes(BASIC) || text.includes('digestlens:digestlens') || /eyJ[\w-]+\.eyJ/.test(text);
    assert.ok(!seen.urls.some(secret), 'no token or password in any request URL');
    assert.ok(!seen.console.some(secret), `console: ${seen.console.join(' | ')}`);
    const stored = await kept();
    assert.deepEqual(stored.local, ['digestlens.corsProxy']);
    assert.deepEqual(stored.session, []);
    assert.ok(!secret(stored.text), 'nothing secret in storage');
    assert.ok(stored.permalink.includes('demo/oci'), 'the link names the fetched image');
    assert.ok(!secret(stored.permalink) && !secret(stored.link), 'no secret in the permalink');
    const shown = await app().page.evaluate(() => document.body.innerText);
    assert.ok(!secret(shown), 'no secret on the page');
    await settings();
  });

  /**
   * Holds the token server's answers, runs `start`, waits until it asked the token server, clicks
   * "Clear all", then lets the token server answer and gives the page 1.5 s to act on the answer.
   */
  async function clearWhileTokenHeld(start) {
    const heldBefore = token.held;
    const release = token.hold();
    try {
      await start();
      for (const deadline = Date.now() + WAIT_MS; token.held === heldBefore; ) {
        if (Date.now() > deadline) throw new Error('the token request did not arrive');
        await new Promise((r) => setTimeout(r, 20));
      }
      await app().click('clear');
    } finally {
      release();
    }
    await new Promise((r) => setTimeout(r, 1500));
  }

  test('Clear while the layers wait for access: no download starts, and the login typed for the walk is not kept', async () => {
    const page = app().page;
    const blobGets = [];
    page.on('request', (r) => {
      if (r.method() === 'GET' && r.url().includes('/v2/demo/docker/blobs/')) blobGets.push(r.url());
    });
    await fetchReference(`${token.host}/demo/oci:1`, { proxyPrefix: `${proxy.origin}/`, username: 'digestlens', password: 'digestlens' });
    assert.deepEqual(await errors(), []);
    await settings({ proxyPrefix: `${proxy.origin}/` });
    // demo/docker has no token yet: its layers ask the token server, with the walk's login.
    await clearWhileTokenHeld(async () => {
      await page.fill('[data-testid="blob-registry"]', `${token.host}/demo/docker:1`);
      await app().click('verify-layers');
      await app().until(() => page.locator('[data-testid="layers-authorizing"]').waitFor(), 'the panel to ask for access');
    });
    assert.deepEqual(blobGets, [], 'no layer download started after the page was cleared');
    assert.equal(await page.locator('[data-testid="layer-result"]').count(), 0);

    // Without the walk's login (forgotten), demo/docker's layers get an anonymous token, via the new
    // walk of its sibling demo/oci.
    await fetchReference(`${token.host}/demo/oci:1`, { proxyPrefix: `${proxy.origin}/` });
    assert.deepEqual(await errors(), []);
    const before = token.tokensIssued.length;
    const rows = await verifyLayers(`${token.host}/demo/docker:1`);
    assert.ok(rows.every((r) => r.state === 'verified'), JSON.stringify(rows));
    assert.deepEqual(token.tokensIssued.slice(before), [{ user: 'anonymous', scopes: ['repository:demo/docker:pull'] }]);
    await settings();
  });

  test('Clear all while a fetch waits for the registry cancels it: none of its documents arrive on the cleared page', async () => {
    const page = app().page;
    await settings({ proxyPrefix: `${proxy.origin}/` });
    await clearWhileTokenHeld(async () => {
      await page.fill('[data-testid="reference"]', `${token.host}/demo/multi:1`);
      await page.press('[data-testid="reference"]', 'Enter');
    });
    assert.deepEqual(await app().documents(), [], 'nothing arrived after the page was cleared');
    assert.equal((await progress()).state, 'cancelled');
    await settings();
  });

  test('a layer download whose pull token the registry refuses says so, not that the login was wrong', async () => {
    await fetchReference(`${token.host}/demo/oci:1`, { proxyPrefix: `${proxy.origin}/`, username: 'digestlens', password: 'digestlens' });
    assert.deepEqual(await errors(), []);
    await settings({ proxyPrefix: `${proxy.origin}/` });
    const before = token.tokensIssued.length;
    token.issueExpiredTokens(true);
    try {
      // The token server accepts the login and issues a token for demo/docker; the registry refuses it.
      const rows = await verifyLayers(`${token.host}/demo/docker:1`);
      assert.deepEqual(token.tokensIssued.slice(before), [{ user: 'digestlens', scopes: ['repository:demo/docker:pull'] }]);
      assert.ok(rows.length > 0);
      for (const row of rows) {
        assert.equal(row.state, 'error', JSON.stringify(row));
        assert.match(row.messages[0], /refused the access token/);
        assert.match(row.messages[0], /Verify layers" again/);
        assert.doesNotMatch(row.messages[0], /user name|password|credentials/);
      }
    } finally {
      token.issueExpiredTokens(false);
    }
    await settings();
  });

  test('the layers of an image on the registry without CORS are read through the proxy prefix', async () => {
    const expected = await layerFacts(nocors.origin, 'demo/oci', '1');
    const seen = watchSecrets();
    await fetchReference(`${nocors.host}/demo/oci:1`, { proxyPrefix: `${proxy.origin}/` });
    assert.deepEqual(await errors(), []);
    const rows = await verifyLayers();
    assert.deepEqual(
      rows.map((r) => ({ state: r.state, digest: r.digest, diffId: r.diffId })),
      expected.map((l) => ({ state: 'verified', digest: l.sha256sum, diffId: l.gunzipSha256sum })),
    );
    const blobRequests = seen.urls.filter((u) => u.includes('/v2/demo/oci/blobs/sha256:'));
    assert.ok(blobRequests.length >= expected.length, blobRequests.join(' '));
    assert.ok(blobRequests.every((u) => u.startsWith(`${proxy.origin}/${nocors.origin}/`)), blobRequests.join(' '));
    await settings();
  });

  test('a registry that never answers times out with a message', async () => {
    const t0 = Date.now();
    await fetchReference(`${silent.origin.replace('http://', '')}/demo/oci:1`, { timeout: 2 });
    const [error] = await errors();
    assert.equal(error.kind, 'timeout');
    assert.match(error.text, /did not answer within 2 seconds/);
    assert.ok(Date.now() - t0 < 2000 + WAIT_MS / 2);
  });

  test('a fetch can be cancelled, and nothing arrives after it', async () => {
    const page = app().page;
    await settings();
    await page.fill('[data-testid="reference"]', `${silent.origin.replace('http://', '')}/demo/oci:1`);
    await page.press('[data-testid="reference"]', 'Enter');
    await page.locator('[data-testid="progress"][data-state="running"]').waitFor();
    assert.match((await progress()).text, /^0 of 1 fetched…\s*Cancel$/);
    await app().click('cancel');
    await page.locator('[data-testid="progress"][data-state="cancelled"]').waitFor();
    await page.waitForTimeout(300);
    assert.deepEqual(await errors(), []);
    assert.equal((await app().documents()).length, 0);
    assert.equal((await progress()).state, 'cancelled');
  });

  test('being offline is told apart from CORS', async () => {
    const context = app().page.context();
    await context.setOffline(true);
    try {
      await fetchReference(`${cors.host}/demo/oci:1`);
    } finally {
      await context.setOffline(false);
    }
    const [error] = await errors();
    assert.equal(error.kind, 'network-down');
    assert.match(error.text, /offline/);
  });

  test('a reference the grammar refuses is explained before anything is sent', async () => {
    await settings();
    const page = app().page;
    await page.fill('[data-testid="reference"]', `${cors.host}/Demo/OCI:1`);
    await page.click('[data-testid="fetch"]');
    await page.locator('[data-testid="error"]').waitFor();
    const [error] = await errors();
    assert.equal(error.kind, 'input');
    assert.match(error.text, /repository names must be lowercase/);
  });
});
