// Benchmark (run by hand, not a test): how light the page's first load is, per build.
//
//   cd tests/e2e && node bench/first-load.mjs [--runs N]      (env DIST_DIR as for the tests)
//
// For each case (a typical 1 KB manifest, a 4 MiB document) and each run, a fresh Chromium profile
// (an empty HTTP cache) opens the page; as soon as the page says its paste box answers
// (`performance.mark('digestlens:paste-ready')`, static/boot.js) the text is pasted (value set, `input`
// fired) and the time until `[data-testid="digest"]` shows the digest node computed is taken in the
// page with performance.now(): that is "cold". The page is then reloaded in the same profile (HTTP
// cache warm) and pasted into the same way: "warm". Once the full page has taken over, a later paste
// is timed too (the paste-bench's number).
//
// Bytes: every .wasm/.js the page requested (its Resource Timing entries, so the workers' own fetches
// are counted from the context's requests instead) whose request started before the first digest
// showed, and every .wasm/.js requested in the 4 s after start (the analysis worker comes after 2 s),
// each counted at its gzip -9 size from DIST_DIR, as the README's size tables are.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DIST_DIR, launchBrowser, startAppServer } from '../lib/harness.mjs';
import { FOUR_MIB, sha256, utf8 } from '../lib/expected.mjs';
import { OCI_MANIFEST, jsonOfSize } from '../lib/samples.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
const CASES = [
  { name: `typical manifest (${utf8(OCI_MANIFEST).length} B)`, text: OCI_MANIFEST, later: `${OCI_MANIFEST}\n` },
  {
    name: `4 MiB document (${FOUR_MIB} B)`,
    text: jsonOfSize(FOUR_MIB),
    later: jsonOfSize(FOUR_MIB).replace('"padding"', '"paddinG"'),
  },
];
const CODE = /\.(wasm|js)$/;

/** gzip -9 and raw size of a shipped file, by its name in DIST_DIR. */
const sizes = new Map();
function sizeOf(name) {
  if (!sizes.has(name)) {
    const bytes = readFileSync(join(DIST_DIR, name));
    sizes.set(name, { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  return sizes.get(name);
}
const total = (names) => names.reduce((sum, n) => sum + sizeOf(n).gzip, 0);

/** Runs in the page: waits until the paste box answers (a build without the first module: until
 * the full page has mounted). */
function pasteReady() {
  return new Promise((resolve) => {
    const ready = () =>
      performance.getEntriesByName('digestlens:paste-ready').length ||
      document.querySelector('[data-testid="dropzone"]');
    const look = () => (ready() ? resolve() : setTimeout(look, 1));
    look();
  });
}

/** Runs in the page: pastes `text`, resolves with the times until `expected` shows (and the names of
 * the .wasm/.js files whose requests started before it showed). */
function pasteAndTime({ text = window.__firstText, expected }) {
  const box = document.querySelector('[data-testid="paste"]');
  const shows = () =>
    [...document.querySelectorAll('[data-testid="digest"]')].some((e) => e.textContent.trim() === expected);
  return new Promise((resolve) => {
    const started = performance.now();
    let observer;
    const done = () => {
      const shown = performance.now();
      observer?.disconnect();
      const before = performance
        .getEntriesByType('resource')
        .filter((r) => r.startTime < shown)
        .map((r) => new URL(r.name).pathname.split('/').pop());
      requestAnimationFrame(() => resolve({ dom: shown - started, frame: performance.now() - started, before }));
    };
    observer = new MutationObserver(() => shows() && done());
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    box.value = text;
    box.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
    if (shows()) done();
  });
}

/** Opens the page, pastes as soon as it can, and returns the times and the files it requested. */
async function firstPaste(context, origin, c, expected) {
  const page = await context.newPage();
  const requested = new Set();
  const onRequest = (r) => {
    const path = new URL(r.url()).pathname;
    if (CODE.test(path)) requested.add(basename(path));
  };
  context.on('request', onRequest);
  // The text is in the page before it starts: handing 4 MiB over takes longer than the page waits
  // before it fetches the rest.
  await page.addInitScript((text) => (window.__firstText = text), c.text);
  await page.goto(`${origin}/`);
  await page.evaluate(pasteReady);
  const first = await page.evaluate(pasteAndTime, { expected });
  await page.waitForSelector('[data-testid="document"] [data-testid="digest"]', { timeout: 60000 });
  const later = await page.evaluate(pasteAndTime, { text: c.later, expected: sha256(utf8(c.later)) });
  await page.waitForTimeout(4000);
  await page.close();
  context.off('request', onRequest);
  return { first, later, requested: [...requested] };
}

const median = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;
const kib = (bytes) => `${bytes.toLocaleString('en')} B (${(bytes / 1024).toFixed(1)} KiB)`;

const server = await startAppServer();
let failed = false;
try {
  console.log(`first load of ${DIST_DIR} (headless Chromium; medians of ${RUNS} fresh profiles)`);
  for (const c of CASES) {
    const expected = sha256(utf8(c.text));
    const runs = { cold: [], warm: [], later: [] };
    let before = [];
    let requested = [];
    for (let i = 0; i < RUNS; i++) {
      const browser = await launchBrowser();
      try {
        const cold = await firstPaste(browser.context, server.origin, c, expected);
        const warm = await firstPaste(browser.context, server.origin, c, expected);
        runs.cold.push(cold.first.dom);
        runs.warm.push(warm.first.dom);
        runs.later.push(cold.later.dom, warm.later.dom);
        before = cold.first.before.filter((n) => CODE.test(n));
        requested = cold.requested;
      } finally {
        await browser.close();
      }
    }
    console.log(
      `${c.name}: first paste to digest cold ${ms(median(runs.cold))} (max ${ms(Math.max(...runs.cold))}), ` +
        `warm ${ms(median(runs.warm))}; a later paste on the full page ${ms(median(runs.later))}`,
    );
    const row = (n) => `  ${n.padEnd(28)} ${String(sizeOf(n).raw).padStart(9)} raw ${String(sizeOf(n).gzip).padStart(9)} gzip`;
    console.log(`  bytes before the first digest (gzip -9): ${kib(total(before))}`);
    for (const n of before) console.log(row(n));
    console.log(`  bytes in the first 4 s (gzip -9): ${kib(total(requested))}`);
    for (const n of requested.filter((x) => !before.includes(x))) console.log(row(n));
  }
} catch (err) {
  failed = true;
  console.error(`benchmark failed: ${err.message}`);
} finally {
  await server.close();
}
process.exitCode = failed ? 1 : 0;
