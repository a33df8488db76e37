// Shared end-to-end harness: serves the Trunk-built page (env DIST_DIR, default <repo>/dist), drives it in
// Debian's headless Chromium through playwright-core (never a downloaded browser), and fails a test on
// anything that means the page broke: an uncaught error, a Rust panic or a WebAssembly trap in the
// console, a Content-Security-Policy violation, a request that left the page's origin (nothing may leave
// the browser unless the user names a registry), or a missing asset.
import { after, afterEach, before, beforeEach } from 'node:test';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStaticServer } from './server.mjs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DIST_DIR = resolve(process.env.DIST_DIR ?? join(REPO_ROOT, 'dist'));
/** Where screenshots of failures go (git-ignored). */
export const WORK_DIR = join(REPO_ROOT, 'tests/e2e/.work');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** How long a test waits for the page to show something before it reports what it saw instead. */
export const WAIT_MS = Number(process.env.E2E_WAIT_MS ?? 15000);

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Console text that means the Rust side panicked or the WebAssembly module trapped. */
const FATAL_CONSOLE = /panicked|RuntimeError|unreachable/;

/** Collects CSP violations from the first moment of the page; runs before any page script. */
const CSP_LISTENER = () => {
  window.__e2eCspViolations = [];
  window.addEventListener(
    'securitypolicyviolation',
    (e) => {
      const v = {
        directive: e.effectiveDirective || e.violatedDirective,
        blockedURI: e.blockedURI,
        sourceFile: e.sourceFile,
        line: e.lineNumber,
        sample: e.sample,
        disposition: e.disposition,
      };
      window.__e2eCspViolations.push(v);
      if (typeof window.__e2eReportCsp === 'function') window.__e2eReportCsp(v);
    },
    true,
  );
};

/** Starts Chromium with a fresh profile directory that is removed again by `close()`. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  const profile = await mkdtemp(join(tmpdir(), 'digestlens-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Serves the built page; fails with a build hint when there is nothing built. */
export async function startAppServer(root = DIST_DIR) {
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`no built page at ${root}/index.html: run \`trunk build --release\` first or set DIST_DIR`);
  }
  return startStaticServer(root);
}

/**
 * One open page with its watchdog. `problems` fills as soon as the page misbehaves; every wait in this
 * class stops at the first problem, and `close()` fails the test if any problem was seen.
 */
export class AppPage {
  constructor(page, origin) {
    this.page = page;
    this.origin = origin;
    this.problems = [];
    this.consoleErrors = [];
    /** Paths of every request the page and its workers completed. */
    this.fetched = new Set();
  }

  /** Waits until the page or one of its workers has fetched a path ending in `suffix`. */
  async waitForFetched(suffix) {
    const deadline = Date.now() + WAIT_MS;
    while (![...this.fetched].some((p) => p.endsWith(suffix))) {
      this.throwIfProblems();
      if (Date.now() > deadline) throw new Error(`nothing ending in ${suffix} was fetched; fetched: ${[...this.fetched].join(' ')}`);
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  /**
   * Opens `path` on `origin` in a new page of `context` and waits until the app has mounted (its
   * paste box exists). `allowedOrigins` lists extra origins the page may contact (a test registry).
   * `realPreflights`: watch requests instead of routing them. While a route is set, Playwright answers
   * every CORS preflight (OPTIONS) itself and the server never sees it, so a test of how a registry
   * answers preflights must not route; a request to another origin still fails the test, but is sent.
   * `prepare(page)` runs before the page is opened (e.g. to slow its CPU down); with `takenOver: false`
   * the page is returned at its load event, before the full page has taken over from the first paste box.
   */
  static async open(
    context,
    origin,
    {
      path = '/',
      allowedOrigins = [],
      ready = '[data-testid="paste"]',
      realPreflights = false,
      prepare,
      takenOver = true,
    } = {},
  ) {
    const page = await context.newPage();
    const app = new AppPage(page, origin);
    page.setDefaultTimeout(WAIT_MS);
    const allowed = new Set([origin, ...allowedOrigins]);

    page.on('pageerror', (err) => app.problem(`uncaught page error: ${err.stack || err.message || err}`));
    page.on('crash', () => app.problem('the page crashed'));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      app.consoleErrors.push(text);
      if (FATAL_CONSOLE.test(text)) app.problem(`console error: ${text}`);
    });
    page.on('requestfinished', (request) => app.fetched.add(new URL(request.url()).pathname));
    page.on('response', (res) => {
      const url = new URL(res.url());
      // Under `/proxy/` are registry answers a page served by digestlens-proxy reads through it (and the page's
      // question on start whether it came with that proxy, which a static server answers 404): not page assets.
      const notAnAsset = url.pathname.includes('/proxy/');
      if (url.origin === origin && res.status() >= 400 && !notAnAsset) {
        app.problem(`HTTP ${res.status()} for ${url.pathname}`);
      }
    });
    await page.exposeFunction('__e2eReportCsp', (v) => app.problem(`CSP violation: ${JSON.stringify(v)}`));
    await page.addInitScript(CSP_LISTENER);
    if (realPreflights) {
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (!allowed.has(url.origin)) app.problem(`request left the page's origin: ${request.method()} ${url.href}`);
      });
    } else {
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (allowed.has(url.origin)) return route.continue();
        app.problem(`request left the page's origin: ${route.request().method()} ${url.href}`);
        return route.abort('blockedbyclient');
      });
    }

    await prepare?.(page);
    await page.goto(new URL(path, origin).href);
    if (!takenOver) return app;
    await app.until(() => page.locator(ready).first().waitFor({ state: 'attached' }), `the app to mount (${ready})`);
    // index.html's static first-paste markup (`#first`, with a paste box of its own) is gone once the
    // full page has taken over: what the tests drive is the full page.
    await app.until(() => page.locator('#first').waitFor({ state: 'detached' }), 'the full page to take over');
    return app;
  }

  problem(text) {
    this.problems.push(text);
    this.onProblem?.();
  }

  /** Throws at once, naming every problem seen so far. */
  throwIfProblems() {
    if (this.problems.length === 0) return;
    const more = this.consoleErrors.length ? `\nconsole errors:\n  ${this.consoleErrors.join('\n  ')}` : '';
    throw new Error(`the page misbehaved:\n  ${this.problems.join('\n  ')}${more}`);
  }

  /** Runs `action`, but fails as soon as a problem shows up rather than when `action` times out. */
  async until(action, what) {
    this.throwIfProblems();
    let stop;
    const problemSeen = new Promise((_, fail) => {
      stop = () => fail(new Error(`while waiting for ${what}:`));
      this.onProblem = stop;
    });
    problemSeen.catch(() => {});
    try {
      return await Promise.race([action(), problemSeen]);
    } catch (err) {
      this.throwIfProblems();
      throw err;
    } finally {
      this.onProblem = undefined;
    }
  }

  /** Also picks up CSP violations the binding could not report (e.g. before it was installed). */
  async assertNoProblems() {
    if (!this.page.isClosed()) {
      const seen = await this.page.evaluate(() => window.__e2eCspViolations ?? []).catch(() => []);
      for (const v of seen) {
        const text = `CSP violation: ${JSON.stringify(v)}`;
        if (!this.problems.includes(text)) this.problems.push(text);
      }
    }
    this.throwIfProblems();
  }

  async close() {
    try {
      await this.assertNoProblems();
    } finally {
      await this.page.close().catch(() => {});
    }
  }

  // ---- input, as a user gives it ----

  /** Types/pastes `text` into the paste box (page.fill sets the value and fires input events). */
  async paste(text) {
    await this.until(() => this.page.fill('[data-testid="paste"]', text), 'the paste box to take the text');
  }

  /**
   * Chooses files in the file input. `files` are `{ name, mimeType, buffer }`, so the exact bytes
   * (CRLF, BOM, invalid UTF-8) reach the page.
   */
  async chooseFiles(files) {
    await this.until(
      () => this.page.setInputFiles('[data-testid="file"]', files.map(asFilePayload)),
      'the file input to take the files',
    );
  }

  /**
   * Drops files onto `target` (default: the drop zone if there is one, else the page body) the way a
   * browser does: dragenter, dragover and drop events carrying a DataTransfer with the files.
   */
  async dropFiles(files, target) {
    const selector = target ?? ((await this.page.locator('[data-testid="dropzone"]').count()) ? '[data-testid="dropzone"]' : 'body');
    const payload = files.map(asFilePayload).map((f) => ({
      name: f.name,
      mimeType: f.mimeType,
      base64: f.buffer.toString('base64'),
    }));
    await this.until(async () => {
      const dataTransfer = await this.page.evaluateHandle((list) => {
        const dt = new DataTransfer();
        for (const f of list) {
          const raw = atob(f.base64);
          const bytes = new Uint8Array(raw.length);
          for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
          dt.items.add(new File([bytes], f.name, { type: f.mimeType }));
        }
        return dt;
      }, payload);
      const zone = this.page.locator(selector).first();
      for (const type of ['dragenter', 'dragover', 'drop']) {
        await zone.dispatchEvent(type, { dataTransfer });
      }
      await dataTransfer.dispose();
    }, `the drop onto ${selector}`);
  }

  /** Saves a full-page screenshot under tests/e2e/.work/ (git-ignored) and returns its path. */
  async screenshot(label) {
    const path = join(WORK_DIR, `${label}-${Date.now()}.png`);
    try {
      await mkdir(WORK_DIR, { recursive: true });
      await this.page.screenshot({ path, fullPage: true, timeout: 5000 });
      return path;
    } catch {
      return null;
    }
  }

  /**
   * Opens every folded document card (and folded section) that holds an element matching `selector`,
   * as a user clicks a card's line before using what is inside it. Cards are one line until opened
   * (document_card.rs).
   */
  async openCardsHolding(selector) {
    await this.page.evaluate((sel) => {
      for (const el of document.querySelectorAll(sel)) {
        const card = el.closest('[data-testid="document"]');
        card?.querySelector(':scope > header [data-testid="card-toggle"][aria-expanded="false"]')?.click();
        // A section folded into one line (components/folded_section.rs) is shown first, too.
        el.closest('[data-fold]')?.querySelector(':scope > .fold-summary [data-testid="unfold"]')?.click();
      }
    }, selector);
  }

  /** Fills the text area or text field with this data-testid (e.g. `paste-a`, `expected`). */
  async fillIn(testid, text, scope = '') {
    const selector = `${scope} [data-testid="${testid}"]`.trim();
    await this.openCardsHolding(selector);
    await this.until(() => this.page.locator(selector).first().fill(text), `${selector} to take the text`);
  }

  /**
   * Pastes `text` into the text area with this data-testid the way Ctrl+V does: the value changes at once
   * and one `input` event fires. (`fill` fires one per line, which makes a large paste quadratic.)
   */
  async pasteInto(testid, text, scope = '') {
    const selector = `${scope} [data-testid="${testid}"]`.trim();
    await this.openCardsHolding(selector);
    await this.until(
      () =>
        this.page.locator(selector).first().evaluate((el, value) => {
          el.focus();
          el.value = value;
          el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
        }, text),
      `${selector} to take the pasted text`,
    );
  }

  /** Chooses files in the file input with this data-testid (e.g. `file-a`); `files` as in `chooseFiles`. */
  async chooseFilesIn(testid, files) {
    await this.until(
      () => this.page.setInputFiles(`[data-testid="${testid}"]`, files.map(asFilePayload)),
      `the file input ${testid} to take the files`,
    );
  }

  /** Picks the option whose text contains `label` in the <select> with this data-testid. */
  async pickOption(testid, label) {
    const select = this.page.locator(`[data-testid="${testid}"]`);
    await this.until(async () => {
      await select.locator('option', { hasText: label }).first().waitFor({ state: 'attached' });
      const value = await select.locator('option', { hasText: label }).first().getAttribute('value');
      await select.selectOption(value);
    }, `an option "${label}" in ${testid}`);
  }

  /**
   * Polls the first `[data-testid="verdict"]` inside `scope` (a CSS selector) until `accept({ slug, text })`
   * is true and returns it; on timeout fails with what the page showed.
   */
  async waitForVerdict(scope, accept, what = 'a verdict', timeout = WAIT_MS) {
    const selector = `${scope} [data-testid="verdict"]`;
    const deadline = Date.now() + timeout;
    for (;;) {
      this.throwIfProblems();
      const seen = await this.page.evaluate((sel) => {
        const el = document.querySelector(sel);
        return el ? { slug: el.getAttribute('data-verdict'), text: el.textContent.trim() } : null;
      }, selector);
      if (seen && accept(seen)) return seen;
      if (Date.now() > deadline) {
        await this.assertNoProblems();
        const shot = await this.screenshot('verdict-timeout');
        throw new Error(
          `timed out after ${timeout} ms waiting for ${what} in ${scope}; the page shows ${JSON.stringify(seen)}` +
            (shot ? `\nscreenshot: ${shot}` : ''),
        );
      }
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  async click(testid) {
    await this.openCardsHolding(`[data-testid="${testid}"]`);
    await this.until(() => this.page.click(`[data-testid="${testid}"]`), `a click on ${testid}`);
  }

  // ---- reading what the page shows ----

  /** Trimmed text of every element with this data-testid, in document order. */
  async texts(testid) {
    return this.page.locator(`[data-testid="${testid}"]`).evaluateAll((els) => els.map((e) => e.textContent.trim()));
  }

  /** Every shown document as plain data (see `readDocuments` below for the fields). */
  async documents() {
    return this.page.evaluate(readDocuments);
  }

  /**
   * Polls the shown documents until `accept(docs)` is true and returns them; on timeout fails with
   * what the page showed, so a wrong answer reads as a wrong answer rather than as a timeout.
   */
  async waitForDocuments(accept, what = 'the documents', timeout = WAIT_MS) {
    const deadline = Date.now() + timeout;
    let docs = [];
    for (;;) {
      this.throwIfProblems();
      docs = await this.documents();
      if (accept(docs)) return docs;
      if (Date.now() > deadline) {
        await this.assertNoProblems();
        const errors = await this.texts('error');
        const shot = await this.screenshot('timeout');
        throw new Error(
          `timed out after ${timeout} ms waiting for ${what}; the page shows ${JSON.stringify(docs, null, 2)}` +
            (errors.length ? `\nerrors shown: ${JSON.stringify(errors)}` : '') +
            (shot ? `\nscreenshot: ${shot}` : ''),
        );
      }
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  /** Waits until exactly `n` documents each show a complete digest. */
  async waitForDigests(n, timeout = WAIT_MS) {
    return this.waitForDocuments(
      (docs) => docs.length === n && docs.every((d) => /^sha256:[0-9a-f]{64}$/.test(d.digest ?? '')),
      `${n} document(s) with a digest`,
      timeout,
    );
  }
}

/** Accepts a Buffer, Uint8Array or string as the bytes of a file. */
function asFilePayload({ name, mimeType = 'application/octet-stream', buffer }) {
  return { name, mimeType, buffer: Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer) };
}

/** Runs in the page: reads each `[data-testid="document"]` into plain data by the page contract. */
function readDocuments() {
  const one = (root, id) => root.querySelector(`[data-testid="${id}"]`);
  const text = (root, id) => one(root, id)?.textContent.trim() ?? null;
  const all = (root, id) => [...root.querySelectorAll(`[data-testid="${id}"]`)].map((e) => e.textContent.trim());
  return [...document.querySelectorAll('[data-testid="document"]')].map((doc) => {
    const size = one(doc, 'size')?.getAttribute('data-bytes');
    return {
      digest: text(doc, 'digest'),
      // The page shows a separate bytes digest only where it differs from the digest (signed
      // schema 1); elsewhere the one digest shown is the sha256 of the bytes.
      bytesDigest: text(doc, 'bytes-digest') ?? text(doc, 'digest'),
      bytes: size == null || size === '' ? null : Number(size),
      kind: one(doc, 'kind')?.getAttribute('data-kind') ?? null,
      kindText: text(doc, 'kind'),
      mediaType: text(doc, 'media-type'),
      descriptors: [...doc.querySelectorAll('[data-testid="descriptor"]')].map((d) => ({
        role: d.getAttribute('data-role'),
        digest: text(d, 'descriptor-digest'),
      })),
      diffIds: all(doc, 'diff-id'),
      chainIds: all(doc, 'chain-id'),
      findings: one(doc, 'findings') ? [...one(doc, 'findings').children].map((e) => e.textContent.trim()) : [],
      findingsText: text(doc, 'findings') ?? '',
      digestWithoutNewline: text(doc, 'digest-without-newline'),
      sha512: text(doc, 'sha512'),
    };
  });
}

/**
 * Registers the per-file and per-test lifecycle in the current `describe`: one server and one browser
 * for the file, a fresh page per test that is checked for problems when the test ends.
 * Returns a function giving the current test's AppPage.
 */
export function useApp(options = {}) {
  let server;
  let browser;
  let app;
  before(async () => {
    server = await startAppServer(options.root);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    app = await AppPage.open(browser.context, server.origin, options);
  });
  afterEach(async () => {
    const current = app;
    app = undefined;
    await current?.close();
  });
  return () => {
    if (!app) throw new Error('no page open: call the getter inside a test');
    return app;
  };
}

/** Retries `check` (which throws while the page is not there yet) until it passes or time runs out. */
export async function eventually(app, check, what) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    app.throwIfProblems();
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${err.message}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
