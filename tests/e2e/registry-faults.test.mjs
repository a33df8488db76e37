// End-to-end: the built page fetches from a real registry (Debian's docker-registry, distribution
// 2.8.2, on 127.0.0.1:5631, filled by scripts/make-images) through a proxy that breaks the answers in
// the ways hostile or broken registries do (lib/registries.mjs `startFaultProxy`). Each fault gets its
// named message, ends quickly, and nothing is shown as verified that was not. Expected digests come
// from the registry (make-images' summary.json, read with curl), never from the page.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { useApp, WAIT_MS } from './lib/harness.mjs';
import { startFaultProxy, startRegistry } from './lib/registries.mjs';

const PORT = Number(process.env.E2E_FAULTS_PORT ?? 5631);
const registry = await startRegistry({ port: PORT, mode: 'cors' }).catch((err) => ({ failed: err.message }));
const unavailable = registry.failed;
const proxy = registry.failed ? null : await startFaultProxy(registry.origin);

after(async () => {
  await proxy?.close();
  await registry.stop?.();
});

describe('a registry that misbehaves', { skip: unavailable }, () => {
  const app = useApp({ allowedOrigins: [registry.origin, proxy?.origin].filter(Boolean), realPreflights: true });

  /** Types `reference` with `fault`'s proxy prefix, presses Enter, waits for the fetch to settle. */
  async function fetchThrough(fault, reference, { timeout = 20 } = {}) {
    const page = app().page;
    await page.locator('.fetch-settings').evaluate((d) => {
      d.open = true;
    });
    await page.fill('[data-testid="proxy"]', `${proxy.origin}/${fault}/`);
    await page.fill('[data-testid="timeout"]', String(timeout));
    await page.fill('[data-testid="reference"]', reference);
    const t0 = performance.now();
    await page.press('[data-testid="reference"]', 'Enter');
    await app().until(
      () => page.locator('[data-testid="progress"]:not([data-state="running"])').waitFor(),
      `the fetch of ${reference} through ${fault} to settle`,
    );
    const ms = performance.now() - t0;
    const shown = await page.evaluate(() => ({
      errors: [...document.querySelectorAll('[data-testid="error"]')].map((e) => ({ kind: e.dataset.kind, text: e.textContent.trim() })),
      documents: [...document.querySelectorAll('[data-testid="document"]')].map((doc) => {
        const v = doc.querySelector('[data-testid="verification"]');
        const outcome = (id) => v?.querySelector(`[data-testid="${id}"]`)?.dataset.outcome ?? null;
        return { state: v?.dataset.state ?? null, header: outcome('header-check'), requested: outcome('requested-check'), text: v?.textContent ?? '' };
      }),
    }));
    const digests = (await app().documents()).map((d) => d.digest);
    shown.documents.forEach((d, i) => Object.assign(d, { digest: digests[i] }));
    return { ...shown, ms };
  }

  const oci = () => `${registry.host}/demo/oci:1`;

  test('a Docker-Content-Digest header that lies is shown loudly as a mismatch, not verified', async () => {
    const digest = registry.images['demo/oci:1'].digest;
    const shown = await fetchThrough('lying-digest', `${registry.host}/demo/oci@${digest}`);
    const [top] = shown.documents;
    assert.ok(top, JSON.stringify(shown));
    assert.equal(top.header, 'mismatch', top.text);
    assert.equal(top.requested, 'matches', 'the bytes are the ones asked for');
    assert.equal(top.digest, digest);
    assert.notEqual(top.state, 'verified');
    assert.match(top.text, /DOES NOT MATCH/);
    assert.ok(shown.errors.some((e) => e.kind === 'mismatch'), JSON.stringify(shown.errors));
  });

  test('a Docker-Content-Digest header that lies about a tag is not taken as the digest', async () => {
    const shown = await fetchThrough('lying-digest', oci());
    const [top] = shown.documents;
    assert.ok(top, JSON.stringify(shown));
    assert.equal(top.digest, registry.images['demo/oci:1'].digest, 'the digest of the bytes, not the header');
    assert.equal(top.header, 'mismatch', top.text);
    assert.notEqual(top.state, 'verified');
    assert.ok(shown.errors.some((e) => e.kind === 'mismatch'), JSON.stringify(shown.errors));
  });

  test('a body cut short of its Content-Length is a broken connection, not a document', async () => {
    const shown = await fetchThrough('short-body', oci());
    assert.deepEqual(shown.errors.map((e) => e.kind), ['interrupted'], JSON.stringify(shown.errors));
    assert.match(shown.errors[0].text, /the connection to 127\.0\.0\.1:\d+ broke off while the answer was arriving/);
    assert.deepEqual(shown.documents, []);
  });

  test('a body longer than its Content-Length is cut there by the browser, and the cut bytes do not verify', async () => {
    const digest = registry.images['demo/oci:1'].digest;
    const shown = await fetchThrough('long-body', `${registry.host}/demo/oci@${digest}`);
    const [top, ...rest] = shown.documents;
    assert.ok(top, JSON.stringify(shown));
    assert.deepEqual(rest, [], 'the cut manifest is not walked');
    assert.notEqual(top.digest, digest);
    assert.equal(top.state, 'mismatch', top.text);
    assert.equal(top.header, 'mismatch');
    assert.equal(top.requested, 'mismatch');
    assert.ok(shown.errors.some((e) => e.kind === 'mismatch'), JSON.stringify(shown.errors));
  });

  test('a body that stops half-way and stays silent times out with a message', async () => {
    const shown = await fetchThrough('stalled-body', oci(), { timeout: 2 });
    assert.deepEqual(shown.errors.map((e) => e.kind), ['timeout'], JSON.stringify(shown.errors));
    assert.match(shown.errors[0].text, /127\.0\.0\.1:\d+ did not answer within 2 seconds/);
    assert.deepEqual(shown.documents, []);
    assert.ok(shown.ms < 2000 + WAIT_MS / 2, `${shown.ms} ms`);
  });

  test('429 with Retry-After: the rate-limit message names the seconds', async () => {
    const shown = await fetchThrough('rate-limit', oci());
    assert.deepEqual(shown.errors.map((e) => e.kind), ['rate-limited'], JSON.stringify(shown.errors));
    assert.match(shown.errors[0].text, /is limiting requests \(429\)/);
    assert.match(shown.errors[0].text, /37 seconds/);
    assert.deepEqual(shown.documents, []);
  });

  test('a redirect loop ends with a named message, without hanging', async () => {
    const before = proxy.hits['redirect-loop'];
    const shown = await fetchThrough('redirect-loop', oci());
    assert.equal(shown.errors.length, 1, JSON.stringify(shown.errors));
    assert.equal(shown.errors[0].kind, 'redirect-failed', JSON.stringify(shown.errors));
    assert.match(shown.errors[0].text, /a redirect the browser could not follow to the end: a redirect loop/);
    assert.deepEqual(shown.documents, []);
    assert.ok(shown.ms < 5000, `${shown.ms} ms`);
    const hops = proxy.hits['redirect-loop'] - before;
    assert.ok(hops > 1 && hops <= 2 * 21, `the browser gave up after ${hops} redirects`);
  });

  test('a token server that never grants ends with the auth message after one try', async () => {
    const before = { hits: proxy.hits['auth-loop'], tokens: proxy.tokenRequests };
    const shown = await fetchThrough('auth-loop', oci());
    assert.deepEqual(shown.errors.map((e) => e.kind), ['auth'], JSON.stringify(shown.errors));
    assert.match(shown.errors[0].text, /the token server refused an anonymous token \(HTTP 401\)/);
    assert.deepEqual(shown.documents, []);
    assert.equal(proxy.hits['auth-loop'] - before.hits, 1, 'one manifest request');
    assert.equal(proxy.tokenRequests - before.tokens, 1, 'one token request');
  });

  test('a 4 GiB Content-Length for a manifest is refused by the size cap before the body is read', async () => {
    const before = proxy.hugeBytesSent;
    const shown = await fetchThrough('huge', oci());
    assert.deepEqual(shown.errors.map((e) => e.kind), ['manifest-too-large'], JSON.stringify(shown.errors));
    assert.match(shown.errors[0].text, /the answer is 4294967296 bytes, but registries refuse manifests over 4194304 bytes/);
    assert.deepEqual(shown.documents, []);
    assert.ok(shown.ms < 3000, `${shown.ms} ms`);
    const read = proxy.hugeBytesSent - before;
    assert.ok(read < 4 * 1024 * 1024, `${read} bytes sent before the page stopped reading`);
    console.log(`# 4 GiB Content-Length refused in ${shown.ms.toFixed(0)} ms; ${read} bytes had been sent`);
  });

  test('a 4 GiB Content-Length for a config is refused by its size cap; the manifest stays verified', async () => {
    const before = proxy.hugeBytesSent;
    const shown = await fetchThrough('huge-blob', oci());
    assert.deepEqual(shown.errors.map((e) => e.kind), ['config-too-large'], JSON.stringify(shown.errors));
    assert.match(shown.errors[0].text, /the image config is 4294967296 bytes; this page reads at most 16777216 bytes/);
    assert.equal(shown.documents.length, 1, 'only the manifest');
    assert.equal(shown.documents[0].state, 'verified', 'the manifest passed the proxy untouched');
    assert.ok(shown.ms < 3000, `${shown.ms} ms`);
    assert.ok(proxy.hugeBytesSent - before < 4 * 1024 * 1024);
  });

  test('a manifest answer without Content-Length is refused by the size cap once it goes past it', async () => {
    const before = proxy.hugeBytesSent;
    const shown = await fetchThrough('huge-chunked', oci());
    assert.deepEqual(shown.errors.map((e) => e.kind), ['manifest-too-large'], JSON.stringify(shown.errors));
    assert.match(shown.errors[0].text, /the answer is more than 4194304 bytes, but registries refuse manifests over 4194304 bytes/);
    assert.deepEqual(shown.documents, []);
    assert.ok(shown.ms < 10000, `${shown.ms} ms`);
    await new Promise((r) => setTimeout(r, 300));
    const sent = proxy.hugeBytesSent - before;
    assert.ok(sent < 16 * 1024 * 1024, `${sent} bytes sent before the page stopped reading`);
    console.log(`# an endless chunked manifest refused in ${shown.ms.toFixed(0)} ms; ${sent} bytes had been sent`);
  });
});
