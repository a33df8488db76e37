// Benchmark (run by hand, not a test): how long the built page takes to draw the relationship map of a
// big family, measured inside the page with performance.now(): from handing the files to the file input
// (a `change` event carrying them) until the map's SVG holds the expected boxes (DOM updated), and until
// the next animation frame after that (about when a person sees it). Also: opening a folded group.
//
//   cd tests/e2e && npm ci && node bench/map-bench.mjs [--runs N] [--platforms N] [--layers N]
//
// The family is generated here (node's crypto names every document by its sha256): an index of N
// platforms, each manifest with L layers, each config with L diff_ids; every document is loaded.
import { parseArgs } from 'node:util';
import { AppPage, DIST_DIR, launchBrowser, startAppServer } from '../lib/harness.mjs';
import { sha256 } from '../lib/expected.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    platforms: { type: 'string', default: '100' },
    layers: { type: 'string', default: '9' },
  },
});
const RUNS = Number(values.runs);
const PLATFORMS = Number(values.platforms);
const LAYERS = Number(values.layers);

const json = (value) => Buffer.from(JSON.stringify(value));

function family(platforms, layers) {
  const files = [];
  const entries = [];
  for (let p = 0; p < platforms; p++) {
    const config = json({
      architecture: `arch${p}`,
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: Array.from({ length: layers }, (_, l) => sha256(Buffer.from(`diff ${p} ${l}`))) },
    });
    const manifest = json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: Array.from({ length: layers }, (_, l) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: sha256(Buffer.from(`blob ${p} ${l}`)),
        size: 1000 + l,
      })),
    });
    entries.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256(manifest),
      size: manifest.length,
      platform: { os: 'linux', architecture: `arch${p}` },
    });
    files.push({ name: `manifest-${p}.json`, bytes: manifest }, { name: `config-${p}.json`, bytes: config });
  }
  const index = json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries });
  return [{ name: 'index.json', bytes: index }, ...files];
}

function bigIndex(entries) {
  const manifests = Array.from({ length: entries }, (_, i) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: sha256(Buffer.from(`entry ${i}`)),
    size: 500,
    platform: { os: 'linux', architecture: `arch${i}` },
  }));
  return [{ name: 'index-1000.json', bytes: json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }) }];
}

/** Boxes the page draws with its default limits (12 entries, 8 layers; one more is never folded). */
function boxes(platforms, layers, open) {
  const shownPlatforms = open || platforms <= 13 ? platforms : 12;
  const shownLayers = layers <= 9 ? layers : 8;
  return 1 + shownPlatforms * (2 + 3 * shownLayers);
}

/** Runs in the page: starts the clock, then `start()`; resolves when `[data-testid="map"]` holds `count` boxes. */
function timeUntilDrawn({ count, action, timeout }) {
  const drawn = () => document.querySelectorAll('[data-testid="map"] [data-testid="map-node"]').length === count;
  return new Promise((resolve, reject) => {
    let observer;
    let timer;
    const started = performance.now();
    const done = () => {
      const dom = performance.now() - started;
      observer.disconnect();
      clearTimeout(timer);
      requestAnimationFrame(() => resolve({ dom, frame: performance.now() - started }));
    };
    observer = new MutationObserver(() => drawn() && done());
    observer.observe(document.body, { subtree: true, childList: true });
    timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`the map did not show ${count} boxes within ${timeout} ms (it shows ${document.querySelectorAll('[data-testid="map-node"]').length})`));
    }, timeout);
    if (action === 'add') {
      // A fresh FileList each run: the page empties the input's list after reading it.
      const dt = new DataTransfer();
      for (const file of window.__bench.files) dt.items.add(file);
      const input = document.querySelector('[data-testid="file"]');
      input.files = dt.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    } else {
      document.querySelector('[data-testid="map-more"]').dispatchEvent(new MouseEvent('click', { bubbles: true }));
    }
  });
}

/** Runs in the page: turns base64 payloads into File objects kept for the runs. */
function prepare(payload) {
  const files = payload.map((f) => {
    const raw = atob(f.base64);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return new File([bytes], f.name, { type: 'application/json' });
  });
  window.__bench = { files };
}

function descriptorsIn(bytes) {
  const doc = JSON.parse(bytes);
  return (doc.manifests?.length ?? 0) + (doc.layers?.length ?? 0) + (doc.config ? 1 : 0);
}

const median = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`.padStart(11);

const CASES = [
  { name: '3-platform family, 2 layers each (7 documents)', files: family(3, 2), folded: boxes(3, 2, false), open: boxes(3, 2, true) },
  {
    name: `${PLATFORMS}-platform index alone (1 document)`,
    files: family(PLATFORMS, LAYERS).slice(0, 1),
    folded: PLATFORMS <= 13 ? 1 + PLATFORMS : 13,
    open: 1 + PLATFORMS,
  },
  {
    name: `${PLATFORMS}-platform family, ${LAYERS} layers each (${1 + 2 * PLATFORMS} documents)`,
    files: family(PLATFORMS, LAYERS),
    folded: boxes(PLATFORMS, LAYERS, false),
    open: boxes(PLATFORMS, LAYERS, true),
  },
  { name: 'index of 1,000 entries (1 document)', files: bigIndex(1000), folded: 13, open: 1001 },
];

const server = await startAppServer();
const browser = await launchBrowser();
let failed = false;
try {
  const app = await AppPage.open(browser.context, server.origin);
  console.log(`relationship map in ${DIST_DIR} (Chromium headless, median of ${RUNS} runs after one warm-up)`);
  console.log(`${'case'.padEnd(66)} ${'boxes'.padStart(5)} ${'median DOM'.padStart(11)} ${'median frame'.padStart(12)} ${'max DOM'.padStart(11)}`);
  for (const c of CASES) {
    const descriptors = c.files.reduce((n, f) => n + descriptorsIn(f.bytes), 0);
    await app.page.evaluate(prepare, c.files.map((f) => ({ name: f.name, base64: f.bytes.toString('base64') })));
    const rows = { add: [], open: [] };
    for (let i = 0; i <= RUNS; i++) {
      await app.page.click('[data-testid="clear"]');
      await app.page.waitForSelector('[data-testid="map"]', { state: 'detached' });
      const steps = c.folded === c.open ? [['add', c.folded]] : [['add', c.folded], ['open', c.open]];
      for (const [action, count] of steps) {
        const t = await app.until(
          () => app.page.evaluate(timeUntilDrawn, { count, action, timeout: 60000 }),
          `${c.name}: ${action}`,
        );
        if (i > 0) rows[action].push(t);
      }
    }
    const line = (what, count, ts) =>
      console.log(
        `${what.padEnd(66)} ${String(count).padStart(5)} ${ms(median(ts.map((t) => t.dom)))} ${ms(median(ts.map((t) => t.frame))).padStart(12)} ${ms(Math.max(...ts.map((t) => t.dom)))}`,
      );
    line(`${c.name}, ${descriptors} descriptors: add`, c.folded, rows.add);
    if (rows.open.length) line(`  then open the folded entries`, c.open, rows.open);
  }
  await app.close();
} catch (err) {
  failed = true;
  console.error(`benchmark failed: ${err.message}`);
} finally {
  await browser.close();
  await server.close();
}
process.exitCode = failed ? 1 : 0;
