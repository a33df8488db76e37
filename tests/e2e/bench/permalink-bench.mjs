// Benchmark (run by hand, not a test): how long the built page takes to put an analysis into a link
// (encode) and to open one (decode), and how long the links are, for a 1 KB manifest, a 50-platform
// index and 4 MiB documents. Columns:
//   encode, decode  the page's own User Timing measures (`digestlens-permalink-encode` / `-decode`),
//                   recorded around the WebAssembly call;
//   to digest       from the paste (or file choice) until the page shows the document's digest;
//   to link         ... until it shows the link: after the 300 ms the page waits for typing to stop,
//                   the browser's layout of what was rendered (a 4 MiB paste box or 25,000 layer rows
//                   take a second or more) and the encoding;
//   page load       from navigating to the link until the browser's load event (before the page's own
//                   work: for a link of a megabyte and more, Chromium itself takes seconds);
//   open            from navigating to the link until the page shows the digest (load, wasm start-up,
//                   decoding, analysis, rendering), in a plain page as a person's browser opens it.
//
//   cd tests/e2e && npm ci && node bench/permalink-bench.mjs [--runs N]      (env DIST_DIR as for the tests)
//
// Every run first clears the page, so each encode compresses the whole analysis anew.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AppPage, DIST_DIR, launchBrowser, startAppServer } from '../lib/harness.mjs';
import { FOUR_MIB, sha256, utf8 } from '../lib/expected.mjs';
import { OCI_MANIFEST, jsonOfSize } from '../lib/samples.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);

const hex = (bytes) => randomBytes(bytes).toString('hex');

/** An OCI index of 50 platform manifests, pretty-printed as tools write it (about 20 KB). */
function platformIndex(count) {
  const platforms = [];
  for (const os of ['linux', 'windows', 'freebsd', 'darwin', 'netbsd']) {
    for (const [architecture, variant] of [['amd64'], ['arm64', 'v8'], ['arm', 'v7'], ['arm', 'v6'], ['386'], ['ppc64le'], ['s390x'], ['riscv64'], ['mips64le'], ['loong64']]) {
      platforms.push({ os, architecture, ...(variant ? { variant } : {}) });
    }
  }
  return JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: platforms.slice(0, count).map((platform, i) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: `sha256:${hex(32)}`,
        size: 1000 + i * 7,
        platform,
      })),
      annotations: { 'org.opencontainers.image.created': '2024-05-01T12:00:00Z' },
    },
    null,
    2,
  );
}

/** A manifest of exactly `size` bytes whose layers carry random digests: realistic, poorly compressible. */
function manifestOfSize(size) {
  const layer = () =>
    `{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:${hex(32)}","size":${1000 + Math.floor(Math.random() * 1e8)}}`;
  const head = `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:${hex(32)}","size":581},"layers":[`;
  const layers = [];
  let length = head.length + 2;
  for (;;) {
    const next = layer();
    if (length + next.length + 1 > size - 32) break;
    layers.push(next);
    length += next.length + 1;
  }
  const body = `${head}${layers.join(',')}],"annotations":{"p":""}}`;
  return body.replace('"p":""', `"p":"${'x'.repeat(size - body.length)}"`);
}

const CASES = [
  { name: '1 KB manifest (pasted)', text: () => OCI_MANIFEST },
  { name: '50-platform index (pasted)', text: () => platformIndex(50) },
  { name: '4 MiB manifest, random digests', text: () => manifestOfSize(FOUR_MIB) },
  { name: '4 MiB JSON, one repeated char', text: () => jsonOfSize(FOUR_MIB) },
  { name: '4 MiB random bytes (file)', file: () => randomBytes(FOUR_MIB) },
];

const median = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const fmt = (x) => (x == null ? '-' : `${x.toFixed(1)} ms`);

/** Runs in the page: the duration of the latest User Timing measure `name`, or null. */
const measure = (name) => performance.getEntriesByName(name, 'measure').at(-1)?.duration ?? null;

/** Clears the page and waits until it shows no link. */
async function clear(app) {
  await app.click('clear');
  await app.until(() => app.page.locator('[data-testid="permalink"]').waitFor({ state: 'detached' }), 'no link');
}

/**
 * Runs in the page: gives it the text (as a paste) or the bytes (as a chosen file) and resolves with the
 * milliseconds until it shows the document's digest and until it shows the link or the refusal.
 */
function giveAndTime({ text, base64, timeout }) {
  const bytes = base64 == null ? null : Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  const found = () => document.querySelector('[data-testid="permalink"], [data-testid="permalink-refused"]');
  return new Promise((resolve, reject) => {
    let timer;
    let digest = null;
    const started = performance.now();
    const observer = new MutationObserver(() => {
      if (digest == null && document.querySelector('[data-testid="digest"]')) digest = performance.now() - started;
      if (!found()) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve({ digest, wall: performance.now() - started });
    });
    observer.observe(document.body, { subtree: true, childList: true });
    timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`no link within ${timeout} ms`));
    }, timeout);
    if (bytes == null) {
      const box = document.querySelector('[data-testid="paste"]');
      box.value = text;
      box.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
    } else {
      const input = document.querySelector('[data-testid="file"]');
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'random.bin', { type: 'application/octet-stream' }));
      input.files = dt.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }
  });
}

/** Gives the page the case's document and waits for the link (or the refusal); returns what was measured. */
async function encodeOnce(app, c, bytes) {
  const args = c.file ? { base64: bytes.toString('base64') } : { text: bytes.toString('utf8') };
  const { digest, wall } = await app.until(() => app.page.evaluate(giveAndTime, { ...args, timeout: 120000 }), `the link of ${c.name}`);
  const link = await app.page.locator('[data-testid="permalink"]').evaluateAll((els) => els[0]?.value ?? null);
  const refused = link ? null : await app.page.locator('[data-testid="permalink-refused"]').innerText();
  const length = link ? link.length : Number(/would be (\d+) characters/.exec(refused ?? '')?.[1] ?? NaN);
  return { encode: await app.page.evaluate(measure, 'digestlens-permalink-encode'), digest, wall, link, length };
}

/** Runs before any page script: notes when the first document digest appears (ms since navigation start). */
const NOTE_FIRST_DIGEST = () => {
  const observer = new MutationObserver(() => {
    if (document.querySelector('[data-testid="digest"]')) {
      window.__firstDigestAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { subtree: true, childList: true });
};

/**
 * Opens `link` in a new plain page (no request interception, as a person's browser) and returns the
 * decode measure, the time until the digest shows, and when the browser finished loading the page
 * (for a link of a megabyte and more, Chromium itself takes seconds before any page script runs).
 */
async function openOnce(context, link, expected) {
  const page = await context.newPage();
  try {
    await page.goto(link);
    await page.waitForFunction(
      (digest) => [...document.querySelectorAll('[data-testid="digest"]')].some((e) => e.textContent.trim() === digest),
      expected,
      { timeout: 120000, polling: 50 },
    );
    return page.evaluate((name) => ({
      decode: performance.getEntriesByName(name, 'measure').at(-1)?.duration ?? null,
      open: window.__firstDigestAt,
      loaded: performance.getEntriesByType('navigation')[0]?.loadEventEnd ?? null,
    }), 'digestlens-permalink-decode');
  } finally {
    await page.close();
  }
}

const server = await startAppServer();
const browser = await launchBrowser();
await browser.context.addInitScript(NOTE_FIRST_DIGEST);
let failed = false;
try {
  const app = await AppPage.open(browser.context, server.origin);
  console.log(`permalinks in ${DIST_DIR} (Chromium headless, median of ${RUNS} runs after one warm-up)`);
  console.log(
    `${'case'.padEnd(34)} ${'bytes'.padStart(8)} ${'link chars'.padStart(10)} ${'encode'.padStart(10)} ${'to digest'.padStart(10)} ${'to link'.padStart(10)} ${'decode'.padStart(10)} ${'page load'.padStart(10)} ${'open'.padStart(10)}`,
  );
  for (const c of CASES) {
    const bytes = c.file ? c.file() : utf8(c.text());
    const enc = [];
    const dec = [];
    let last;
    for (let i = 0; i <= RUNS; i++) {
      await clear(app);
      last = await encodeOnce(app, c, bytes);
      if (i > 0) enc.push(last);
    }
    if (last.link) {
      for (let i = 0; i <= RUNS; i++) {
        const r = await openOnce(browser.context, last.link, sha256(bytes));
        if (i > 0) dec.push(r);
      }
    }
    const col = (xs, f) => (xs.length ? fmt(median(xs.map(f))) : '-').padStart(10);
    console.log(
      `${c.name.padEnd(34)} ${String(bytes.length).padStart(8)} ${String(last.length).padStart(10)} ${col(enc, (r) => r.encode)} ${col(enc, (r) => r.digest)} ${col(enc, (r) => r.wall)} ${col(dec, (r) => r.decode)} ${col(dec, (r) => r.loaded)} ${col(dec, (r) => r.open)}` +
        (last.link ? '' : '  (refused: longer than browsers accept)'),
    );
  }
  await app.close();
} catch (err) {
  failed = true;
  console.error(`benchmark failed: ${err.stack ?? err.message}`);
} finally {
  await browser.close();
  await server.close();
}
process.exitCode = failed ? 1 : 0;
