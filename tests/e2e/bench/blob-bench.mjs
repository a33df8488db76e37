// Benchmark (run by hand, not a test): how fast the built page verifies a layer blob, against native
// tools on the same file on the same machine, and how much memory verifying a 1 GiB layer takes.
//
//   cd tests/e2e && node bench/blob-bench.mjs [--runs N] [--work DIR] [--no-gib] [--no-native]
//   (env DIST_DIR as for the tests; CARGO_TARGET_DIR for the native build)
//
// It writes, under --work (default /tmp/digestlens-blob-bench):
//   - a ~256 MiB gzip blob made by node's zlib (level 6) from pseudo-random and compressible data
//     (half random bytes, half repeated text, like a layer of binaries and text files), and
//   - unless --no-gib, a ~1 GiB gzip blob made the same way (level 1), for the memory measurement.
// Expected digests come from node's crypto over the same bytes.
//
// In the page (headless Chromium, Debian's), a manifest and config naming the blob are loaded and the
// blob file is chosen in the layer panel; the time runs from the input's change event to the row's
// data-state turning final, measured in the page with performance.now(). "digest" gives the layer an
// artifact media type (blob digest only); "digest+gunzip" gives it tar+gzip (blob digest, gunzip, content
// digest). While it runs, the page's main thread is sampled with a 10 ms timer (longest stall) and,
// for the 1 GiB blob, memory: the page's JS heap (CDP Performance.getMetrics), each worker's
// WebAssembly memory, and the RSS of Chromium's renderer processes.
//
// Natively it times `sha256sum` and examples/sha_bench.rs: sha2 with its portable software backend
// (RUSTFLAGS='--cfg sha2_backend="soft"') built with --release (opt-level z, as the page) and with the
// release-worker profile (opt-level 3, as the worker), and sha2's default backend (SHA-NI when the CPU
// has it).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify, parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { AppPage, DIST_DIR, REPO_ROOT, launchBrowser, startAppServer } from '../lib/harness.mjs';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    work: { type: 'string', default: '/tmp/digestlens-blob-bench' },
    'no-gib': { type: 'boolean', default: false },
    'no-native': { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const WORK = values.work;
const MIB = 1 << 20;

/** Writes a gzip blob of about `target` bytes; returns its path, size, digest and content digest. */
async function makeBlob(name, target, level) {
  const cached = join(WORK, `${name}.json`);
  const known = await readFile(cached, 'utf8').then(JSON.parse).catch(() => null);
  if (known && (await stat(known.path).catch(() => null))?.size === known.size) return known;
  const tmp = join(WORK, `${name}.tmp`);
  const content = createHash('sha256');
  const blob = createHash('sha256');
  const gzip = createGzip({ level });
  const out = createWriteStream(tmp);
  let written = 0;
  let contentSize = 0;
  gzip.on('data', (chunk) => {
    blob.update(chunk);
    written += chunk.length;
  });
  gzip.pipe(out);
  const text = Buffer.from('usr/share/doc/libc6/changelog.Debian.gz root root 0644 '.repeat(20000));
  while (written < target) {
    // 1 MiB: 512 KiB of random bytes, 512 KiB of text.
    const chunk = Buffer.concat([randomBytes(MIB / 2), text.subarray(0, MIB / 2)]);
    content.update(chunk);
    contentSize += chunk.length;
    if (!gzip.write(chunk)) await new Promise((r) => gzip.once('drain', r));
  }
  await new Promise((r) => {
    out.once('finish', r);
    gzip.end();
  });
  const digest = `sha256:${blob.digest('hex')}`;
  const path = join(WORK, digest.slice(7));
  await rename(tmp, path);
  const made = { path, size: written, digest, contentDigest: `sha256:${content.digest('hex')}`, contentSize };
  await writeFile(cached, JSON.stringify(made));
  return made;
}

/** An OCI manifest and config whose one layer is `blob`, as `mediaType`. */
function image(blob, mediaType) {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [blob.contentDigest] } }),
  );
  const sha = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType, digest: blob.digest, size: blob.size }],
    }),
  );
  return { manifest, config };
}

const DIGEST_ONLY = 'application/vnd.example.bench+octet-stream';
const TAR_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** Runs in the page: resolves when every layer row is final, with the time since the blob input changed. */
function armTimer() {
  window.__bench = new Promise((resolve) => {
    let started = null;
    let lastTick = null;
    let longestStall = 0;
    // Tasks over 50 ms on the page's thread: what would make typing or scrolling stutter.
    const longTasks = [];
    const longTaskObserver = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
    longTaskObserver.observe({ type: 'longtask' });
    document.addEventListener('change', () => {
      started = performance.now();
      lastTick = started;
    }, { capture: true, once: true });
    const ticker = setInterval(() => {
      const now = performance.now();
      if (lastTick !== null) longestStall = Math.max(longestStall, now - lastTick - 10);
      lastTick = now;
    }, 10);
    const observer = new MutationObserver(() => {
      const rows = [...document.querySelectorAll('[data-testid="layer-result"]')];
      if (started === null || rows.length === 0) return;
      if (rows.every((r) => ['verified', 'mismatch', 'error', 'cancelled'].includes(r.dataset.state)) && performance.now() > started) {
        const ms = performance.now() - started;
        observer.disconnect();
        longTaskObserver.disconnect();
        clearInterval(ticker);
        resolve({ ms, states: rows.map((r) => r.dataset.state), longestStall, longTasks });
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  });
}

async function openWithImage(browser, server, blob, mediaType) {
  const app = await AppPage.open(browser.context, server.origin);
  const { manifest, config } = image(blob, mediaType);
  await app.chooseFiles([
    { name: 'manifest.json', mimeType: 'application/json', buffer: manifest },
    { name: 'config.json', mimeType: 'application/json', buffer: config },
  ]);
  await app.waitForDigests(2);
  await app.page.locator('[data-testid="blob-files"]').waitFor({ state: 'attached' });
  return app;
}

/** Verifies `blob` once in a fresh page; returns ms, the states and the main thread's longest stall. */
async function timeInPage(browser, server, blob, mediaType, sample) {
  const app = await openWithImage(browser, server, blob, mediaType);
  if (sample) {
    // Start a worker first (a small file that is no layer), so the baseline includes it.
    await app.page.setInputFiles('[data-testid="blob-files"]', { name: 'warm-up', mimeType: 'application/octet-stream', buffer: Buffer.alloc(1024) });
    await app.page.locator('[data-testid="layer-result"][data-state="mismatch"]').waitFor();
  }
  await app.page.evaluate(armTimer);
  const stopSampling = sample ? await sample(app) : null;
  await app.page.setInputFiles('[data-testid="blob-files"]', blob.path);
  const result = await app.page.evaluate(() => window.__bench);
  const memory = stopSampling ? await stopSampling() : null;
  await app.close();
  return { ...result, memory };
}

/** Processes descended from this node process (Playwright starts Chromium as a child of it). */
async function descendants() {
  const parent = new Map();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => null);
    // Field 4 is the parent pid; the command name (field 2) may hold spaces, so split after ')'.
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
    if (Number.isFinite(ppid)) parent.set(Number(name), ppid);
  }
  const mine = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; p = parent.get(p) ?? 0, hops++) if (p === process.pid) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => pid !== process.pid && mine(pid));
}

/** Summed RSS of our Chromium's renderer processes (the page and its workers run in one). */
async function rendererRss() {
  let total = 0;
  for (const pid of await descendants()) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes('--type=renderer')) continue;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  }
  return total;
}

/** Samples memory every 250 ms until stopped: page JS heap, workers' wasm memory, renderer RSS. */
async function memorySampler() {
  return async (app) => {
    const cdp = await app.page.context().newCDPSession(app.page);
    await cdp.send('Performance.enable');
    const read = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
      let wasm = 0;
      for (const worker of app.page.workers()) {
        // The loader shim calls wasm_bindgen(url); a second call returns the same instance's exports.
        wasm += await worker.evaluate(async () => (await wasm_bindgen()).memory.buffer.byteLength).catch(() => 0);
      }
      return { heap, wasm, rss: await rendererRss() };
    };
    const baseline = await read();
    const peak = { ...baseline };
    let running = true;
    const loop = (async () => {
      while (running) {
        const now = await read().catch(() => null);
        if (now) for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], now[k]);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    return async () => {
      running = false;
      await loop;
      return { baseline, peak };
    };
  };
}

const mbs = (bytes, ms) => bytes / 1e6 / (ms / 1000);
const best = (xs) => Math.min(...xs);
const fmt = (x) => x.toFixed(0).padStart(6);

async function native(file) {
  const times = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const t = process.hrtime.bigint();
    await run('sha256sum', [file]);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const sha256sum = best(times.slice(1));
  const target = process.env.CARGO_TARGET_DIR ?? join(REPO_ROOT, 'target');
  const bench = async (rustflags, dir, profile) => {
    const env = { ...process.env, CARGO_TARGET_DIR: dir, RUSTFLAGS: rustflags };
    await run('cargo', ['build', '--profile', profile, '--quiet', '--example', 'sha_bench'], { cwd: REPO_ROOT, env, maxBuffer: 1 << 24 });
    const { stdout } = await run(join(dir, profile, 'examples/sha_bench'), [file, '--runs', String(RUNS)], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout);
  };
  const soft = await bench('--cfg sha2_backend="soft"', join(target, 'sha2-soft'), 'release');
  const softWorker = await bench('--cfg sha2_backend="soft"', join(target, 'sha2-soft'), 'release-worker');
  const dflt = await bench('', target, 'release');
  return { sha256sum, soft, softWorker, dflt };
}

await mkdir(WORK, { recursive: true });
console.log(`making blobs in ${WORK} …`);
const blob = await makeBlob('blob-256m', 256 * MIB, 6);
console.log(`256 MiB blob: ${blob.size} bytes (${blob.contentSize} uncompressed), ${blob.digest}`);
const load = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
const cpu = (await readFile('/proc/cpuinfo', 'utf8')).match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU';
console.log(`machine: ${cpu}, ${(await run('nproc')).stdout.trim()} cores, load average ${load}`);

const nat = values['no-native']
  ? {
      sha256sum: NaN,
      soft: { sha256: blob.digest, sha256_mb_s: NaN, verify_mb_s: NaN },
      softWorker: { sha256_mb_s: NaN, verify_mb_s: NaN },
      dflt: { sha256_mb_s: NaN, verify_mb_s: NaN },
    }
  : await native(blob.path);
const server = await startAppServer(DIST_DIR);
const browser = await launchBrowser();
try {
  const digestRuns = [];
  const gunzipRuns = [];
  for (let i = 0; i < RUNS; i++) {
    digestRuns.push(await timeInPage(browser, server, blob, DIGEST_ONLY));
    gunzipRuns.push(await timeInPage(browser, server, blob, TAR_GZIP));
  }
  for (const r of [...digestRuns, ...gunzipRuns]) {
    if (r.states.some((s) => s !== 'verified')) throw new Error(`a run did not verify: ${JSON.stringify(r)}`);
  }
  const pageDigest = mbs(blob.size, best(digestRuns.map((r) => r.ms)));
  const pageGunzip = mbs(blob.size, best(gunzipRuns.map((r) => r.ms)));
  const stall = Math.max(...[...digestRuns, ...gunzipRuns].map((r) => r.longestStall));
  const longTasks = [...digestRuns, ...gunzipRuns].flatMap((r) => r.longTasks);

  console.log(`\nThroughput on ${blob.size} bytes (best of ${RUNS}; MB = 10^6 bytes):`);
  console.log(`  sha256sum (coreutils, native)                  ${fmt(mbs(blob.size, nat.sha256sum))} MB/s`);
  console.log(`  sha2 native, default backend (SHA-NI if any)   ${fmt(nat.dflt.sha256_mb_s)} MB/s   digest+gunzip ${fmt(nat.dflt.verify_mb_s)} MB/s`);
  console.log(`  sha2 native, software, --release (opt z)       ${fmt(nat.soft.sha256_mb_s)} MB/s   digest+gunzip ${fmt(nat.soft.verify_mb_s)} MB/s`);
  console.log(`  sha2 native, software, release-worker (opt 3)  ${fmt(nat.softWorker.sha256_mb_s)} MB/s   digest+gunzip ${fmt(nat.softWorker.verify_mb_s)} MB/s`);
  const ratio = (page, native) => `${(page / native).toFixed(2)}x`;
  console.log(`  page (wasm worker, File.stream): digest        ${fmt(pageDigest)} MB/s   ` +
    `(${ratio(pageDigest, nat.soft.sha256_mb_s)} native soft opt z, ${ratio(pageDigest, nat.softWorker.sha256_mb_s)} opt 3)`);
  console.log(`  page (wasm worker): digest+gunzip              ${fmt(pageGunzip)} MB/s   ` +
    `(${ratio(pageGunzip, nat.soft.verify_mb_s)} native soft opt z, ${ratio(pageGunzip, nat.softWorker.verify_mb_s)} opt 3)`);
  console.log(`  page main thread while verifying: longest timer stall ${stall.toFixed(0)} ms, ` +
    `${longTasks.length} tasks over 50 ms (longest ${Math.max(0, ...longTasks).toFixed(0)} ms)`);
  if (nat.soft.sha256 !== blob.digest) throw new Error(`sha_bench disagrees with node: ${nat.soft.sha256}`);

  let gib = null;
  if (!values['no-gib']) {
    const big = await makeBlob('blob-1g', 1024 * MIB, 1);
    console.log(`\n1 GiB blob: ${big.size} bytes (${big.contentSize} uncompressed), ${big.digest}`);
    const sampler = await memorySampler();
    gib = await timeInPage(browser, server, big, TAR_GZIP, sampler);
    const mib = (x) => `${(x / MIB).toFixed(1)} MiB`;
    const { baseline, peak } = gib.memory;
    console.log(`  digest+gunzip in the page: ${(gib.ms / 1000).toFixed(1)} s, ${fmt(mbs(big.size, gib.ms))} MB/s, states ${gib.states}`);
    console.log(`  main thread: longest timer stall ${gib.longestStall.toFixed(0)} ms, ${gib.longTasks.length} tasks over 50 ms`);
    console.log(`  page JS heap:          baseline ${mib(baseline.heap)}, peak ${mib(peak.heap)} (+${mib(peak.heap - baseline.heap)})`);
    console.log(`  workers' wasm memory:  baseline ${mib(baseline.wasm)}, peak ${mib(peak.wasm)} (+${mib(peak.wasm - baseline.wasm)})`);
    console.log(`  renderer RSS:          baseline ${mib(baseline.rss)}, peak ${mib(peak.rss)} (+${mib(peak.rss - baseline.rss)})`);
  }
  console.log(`\n${JSON.stringify({ blob, native: nat, pageDigest, pageGunzip, digestRuns, gunzipRuns, gib })}`);
} finally {
  await browser.close();
  await server.close();
}
