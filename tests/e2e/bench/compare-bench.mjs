// Benchmark (run by hand, not a test): the comparison in its worker (src/ui/analysis).
//
//   cd tests/e2e && node bench/compare-bench.mjs [--runs N]      (env DIST_DIR as for the tests)
//
// 1. Time to the first verdict for each example pair: from just before Playwright picks B (A
//    picked) until the verdict is in the DOM (a few ms of Playwright's round trip included).
//    "cold" is the first comparison of a fresh page (the worker module is fetched and compiled
//    first; the browser's HTTP cache is warm), "warm" is B cleared and picked again (median).
// 2. The page's longest task (PerformanceObserver 'longtask') while an expected digest is checked
//    against a 2 MB indented manifest (a digest nothing has: every edit and re-serialization is
//    tried), and the time to the answer.
import { parseArgs } from 'node:util';
import { AppPage, DIST_DIR, launchBrowser, startAppServer } from '../lib/harness.mjs';
import { sha256 } from '../lib/expected.mjs';
import { largeIndentedManifest } from '../lib/samples.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);

const PAIRS = [
  { example: 'oci-vs-docker', a: 'oci.manifest.json', b: 'docker.manifest.json' },
  { example: 'reindented', a: 'compact.manifest.json', b: 'indent3.manifest.json' },
  { example: 'schema1', a: 'get1.manifest.json', b: 'get2.manifest.json' },
  { example: 'multi-platform', a: 'index.json', b: 'linux-amd64.manifest.json' },
];

/** Runs in the page: starts the clock and records in `window.__took` the ms until the comparison's
 * verdict text differs from `before`. */
function startClock(before) {
  const verdict = () => document.querySelector('[data-testid="comparison"] [data-testid="verdict"]');
  window.__took = null;
  const started = performance.now();
  const observer = new MutationObserver(() => {
    if (verdict() && verdict().textContent !== before) {
      observer.disconnect();
      window.__took = performance.now() - started;
    }
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
}

/** Starts the clock, does `act`, and waits for the new verdict. */
async function timeVerdict(app, act) {
  const shown = app.page.locator('[data-testid="comparison"] [data-testid="verdict"]');
  const before = (await shown.count()) ? await shown.textContent() : null;
  await app.page.evaluate(startClock, before);
  await act();
  // Polled with evaluate: waitForFunction needs eval, which the page's CSP forbids.
  for (const deadline = Date.now() + 120000; Date.now() < deadline; ) {
    const took = await app.page.evaluate(() => window.__took);
    if (took !== null) return took;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no new verdict within 120 s');
}

const median = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const ms = (x) => `${x.toFixed(0)} ms`.padStart(9);

const server = await startAppServer();
const browser = await launchBrowser();
try {
  console.log(`compare in ${DIST_DIR} (Chromium headless; warm = median of ${RUNS})`);
  for (const pair of PAIRS) {
    const app = await AppPage.open(browser.context, server.origin);
    await app.page.click(`[data-testid="example"][data-example="${pair.example}"]`);
    await app.page.locator('[data-testid="document"]').first().waitFor();
    await app.pickOption('pick-a', pair.a);
    const cold = await timeVerdict(app, () => app.pickOption('pick-b', pair.b));
    const warm = [];
    for (let i = 0; i < RUNS; i++) {
      await app.page.click('[data-testid="clear-b"]');
      await app.page.locator('[data-testid="compare-hint"]').waitFor();
      warm.push(await timeVerdict(app, () => app.pickOption('pick-b', pair.b)));
    }
    const slug = await app.page.getAttribute('[data-testid="comparison"] [data-testid="verdict"]', 'data-verdict');
    console.log(`${pair.example.padEnd(16)} ${slug.padEnd(30)} cold ${ms(cold)}   warm ${ms(median(warm))}`);
    await app.close();
  }

  const big = largeIndentedManifest();
  const app = await AppPage.open(browser.context, server.origin);
  await app.chooseFiles([{ name: 'big.json', buffer: big }]);
  await app.waitForDigests(1);
  const scope = '[data-testid="document"][aria-label="big.json"]';
  await app.page.evaluate(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask' });
  });
  await app.fillIn('expected', sha256(Buffer.from('no document has this digest')), scope);
  const started = Date.now();
  await app.page.press(`${scope} [data-testid="expected"]`, 'Enter');
  const answer = await app.waitForVerdict(`${scope} [data-testid="expected-answer"]`, (a) => a.slug === 'no-match', 'the answer', 120000);
  const took = Date.now() - started;
  const longest = await app.page.evaluate(() => window.__longest);
  console.log(`expected digest on ${big.length} B: answer (${answer.slug}) after ${took} ms; longest task on the page's thread ${longest.toFixed(0)} ms`);
  await app.close();
} finally {
  await browser.close();
  await server.close();
}
