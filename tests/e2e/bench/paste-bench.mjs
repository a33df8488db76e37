// Benchmark (run by hand, not a test): how long the built page takes from a paste to showing the
// digest, measured inside the page with performance.now(): from setting the paste box's value and
// dispatching its input event until a [data-testid="digest"] shows the expected text (DOM updated),
// and until the next animation frame after that (about when a person sees it).
//
//   cd tests/e2e && npm ci && node bench/paste-bench.mjs [--runs N]      (env DIST_DIR as for the tests)
//
// Each case alternates two texts with different digests (computed by node), so every run changes what
// the page shows; the first run of each case is a warm-up and is not counted.
import { parseArgs } from 'node:util';
import { AppPage, DIST_DIR, launchBrowser, startAppServer } from '../lib/harness.mjs';
import { sha256, utf8, FOUR_MIB } from '../lib/expected.mjs';
import { OCI_MANIFEST, jsonOfSize } from '../lib/samples.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '11' } } });
const RUNS = Number(values.runs);

const CASES = [
  { name: `typical manifest (${utf8(OCI_MANIFEST).length} B)`, a: OCI_MANIFEST, b: `${OCI_MANIFEST}\n`, runs: RUNS },
  {
    name: `4 MiB document (${FOUR_MIB} B)`,
    a: jsonOfSize(FOUR_MIB),
    b: jsonOfSize(FOUR_MIB).replace('"padding"', '"paddinG"'),
    runs: Math.max(3, Math.ceil(RUNS / 2)),
  },
];

/** Runs in the page: pastes `window.__bench[key]` and resolves with the times until `expected` shows. */
function pasteAndTime({ key, expected, timeout }) {
  const box = document.querySelector('[data-testid="paste"]');
  const shows = () =>
    [...document.querySelectorAll('[data-testid="digest"]')].some((e) => e.textContent.trim() === expected);
  return new Promise((resolve, reject) => {
    let observer;
    let timer;
    const started = performance.now();
    const done = () => {
      const dom = performance.now() - started;
      observer?.disconnect();
      clearTimeout(timer);
      requestAnimationFrame(() => resolve({ dom, frame: performance.now() - started }));
    };
    observer = new MutationObserver(() => shows() && done());
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`${expected} did not show within ${timeout} ms`));
    }, timeout);
    box.value = window.__bench[key];
    box.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
    if (shows()) done();
  });
}

const median = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`.padStart(11);

const server = await startAppServer();
const browser = await launchBrowser();
let failed = false;
try {
  const app = await AppPage.open(browser.context, server.origin);
  console.log(`paste-to-digest in ${DIST_DIR} (Chromium headless, median of runs after one warm-up)`);
  console.log(`${'case'.padEnd(34)} ${'runs'.padStart(4)} ${'median DOM'.padStart(11)} ${'median frame'.padStart(12)} ${'min DOM'.padStart(11)} ${'max DOM'.padStart(11)}`);
  for (const c of CASES) {
    await app.page.evaluate(([a, b]) => (window.__bench = { a, b }), [c.a, c.b]);
    const expected = { a: sha256(utf8(c.a)), b: sha256(utf8(c.b)) };
    const dom = [];
    const frame = [];
    for (let i = 0; i <= c.runs; i++) {
      const key = i % 2 ? 'b' : 'a';
      const t = await app.until(
        () => app.page.evaluate(pasteAndTime, { key, expected: expected[key], timeout: 60000 }),
        `the digest of ${c.name}`,
      );
      if (i === 0) continue;
      dom.push(t.dom);
      frame.push(t.frame);
    }
    console.log(
      `${c.name.padEnd(34)} ${String(c.runs).padStart(4)} ${ms(median(dom))} ${ms(median(frame)).padStart(12)} ${ms(Math.min(...dom))} ${ms(Math.max(...dom))}`,
    );
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
