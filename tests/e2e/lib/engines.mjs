// The three browser engines people use, each driven the way its own tooling drives it, behind one small
// interface so one smoke suite runs in all of them:
//
// - Chromium (Blink): Debian's /usr/bin/chromium through the shared harness (playwright-core, CDP).
// - Firefox (Gecko): Debian's /usr/bin/firefox-esr through puppeteer-core over WebDriver BiDi, with a
//   fresh profile whose preferences keep it off the network (updates, telemetry, safe browsing, captive
//   portal and connectivity checks, remote settings all off or pointed at a closed loopback port).
// - WebKit: WebKitGTK's MiniBrowser in automation mode through Debian's WebKitWebDriver (W3C WebDriver
//   over HTTP on 127.0.0.1, spoken here with node's fetch) on an Xvfb display this module starts; GTK's
//   MiniBrowser has no headless mode. All its traffic, loopback included, goes through a recording
//   proxy here that refuses every origin the test did not allow.
//
// No browser is ever downloaded: a missing engine is an error naming the Debian package that brings it
// (scripts/setup --with-tests installs them all). Every page carries a watchdog like the harness's: an
// uncaught error, a Rust panic or WebAssembly trap in the console, a CSP violation or a resource fetched
// from an origin the test did not allow fails the test when its page is closed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { AppPage, CHROMIUM, WAIT_MS, launchBrowser } from './harness.mjs';
import { listen } from './server.mjs';

export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
export const MINIBROWSER = process.env.MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver';
export const XVFB = process.env.XVFB ?? '/usr/bin/Xvfb';
/** The port WebKitWebDriver listens on (127.0.0.1 only). */
const WEBKIT_DRIVER_PORT = Number(process.env.E2E_WEBKIT_DRIVER_PORT ?? 6051);

export const ENGINES = ['chromium', 'firefox', 'webkit'];

const VIEWPORT = { width: 1280, height: 900 };

/** Console text that means the Rust side panicked or the WebAssembly module trapped (as in the harness). */
const FATAL_CONSOLE = /panicked|RuntimeError|unreachable/;

/** Firefox's console report of a cross-origin answer it kept from the page. */
const CORS_REFUSAL = /^Cross-Origin Request Blocked: /;

/**
 * Preferences that keep Firefox from contacting anything but the page under test. `services.settings`
 * and the other endpoints point at port 9 of loopback, where nothing answers.
 */
const FIREFOX_PREFS = {
  'network.proxy.type': 0,
  'app.update.enabled': false,
  'app.update.auto': false,
  'app.normandy.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.provider.mozilla.updateURL': 'http://127.0.0.1:9/',
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.server': 'http://127.0.0.1:9/',
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.http.speculative-parallel-limit': 0,
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'browser.newtabpage.enabled': false,
  'browser.newtabpage.activity-stream.feeds.system.topstories': false,
  'browser.newtabpage.activity-stream.feeds.snippets': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.startup.homepage': 'about:blank',
  'browser.startup.page': 0,
  'browser.search.update': false,
  'browser.ping-centre.telemetry': false,
  'services.settings.server': 'http://127.0.0.1:9/',
  'media.gmp-manager.url': 'http://127.0.0.1:9/',
  'media.gmp-gmpopenh264.enabled': false,
  'geo.provider.network.url': 'http://127.0.0.1:9/',
  'identity.fxaccounts.enabled': false,
};

/**
 * Runs in the page before (Chromium, Firefox) or right after (WebKit: WebDriver classic has no preload
 * script) the page's own scripts: records uncaught errors, rejected promises, fatal console errors and
 * CSP violations in `window.__e2eProblems` for the watchdog to read.
 */
function installRecorder(fatalSource) {
  if (window.__e2eProblems) return;
  const problems = [];
  window.__e2eProblems = problems;
  const fatal = new RegExp(fatalSource);
  window.addEventListener('error', (e) => problems.push(`uncaught page error: ${e.message}`));
  window.addEventListener('unhandledrejection', (e) => problems.push(`unhandled rejection: ${e.reason?.stack ?? e.reason}`));
  window.addEventListener(
    'securitypolicyviolation',
    (e) => problems.push(`CSP violation: ${e.effectiveDirective || e.violatedDirective} ${e.blockedURI}`),
    true,
  );
  const error = console.error.bind(console);
  console.error = (...args) => {
    const text = args.map(String).join(' ');
    if (fatal.test(text)) problems.push(`console error: ${text}`);
    error(...args);
  };
}

/** Runs in the page: what the recorder saw, and the origin of every resource the page loaded. */
function readRecorder() {
  return {
    problems: window.__e2eProblems ?? [],
    resources: performance.getEntriesByType('resource').map((e) => e.name),
  };
}

/**
 * A page-origin answer of 400 or more that is no fault: the favicon, and the 404 of a static server
 * asked whether the page came with its registry proxy (as in the harness).
 */
function expectedMiss(path, status) {
  return path === '/favicon.ico' || (path.endsWith('/proxy/') && status === 404);
}

/** Starts the named engine; fails, not skips, when it is not installed. */
export async function launchEngine(name) {
  switch (name) {
    case 'chromium':
      return launchChromium();
    case 'firefox':
      return launchFirefox();
    case 'webkit':
      return launchWebKit();
    default:
      throw new Error(`unknown engine ${name}`);
  }
}

function requireFile(path, what) {
  if (!existsSync(path)) throw new Error(`no ${what} at ${path}: run scripts/setup --with-tests (it installs it from Debian)`);
}

/**
 * A page of any engine. Subclasses provide `evaluate(fn, arg)` (runs `fn(arg)` in the page and returns
 * its JSON result), `click(selector)`, `chooseFiles(selector, paths)`, `typeAndEnter(selector, text)` and
 * `goto(url)`; this class adds the watchdog.
 */
class EnginePage {
  constructor(engine, allowedOrigins) {
    this.engine = engine;
    this.allowed = new Set(allowedOrigins);
    this.problems = [];
  }

  /** Throws naming every problem the engine or the in-page recorder reported so far. */
  async assertNoProblems() {
    const seen = await this.evaluate(readRecorder).catch((err) => ({ problems: [`the page did not answer: ${err.message}`], resources: [] }));
    const left = seen.resources.filter((url) => {
      const { origin, protocol } = new URL(url);
      return (protocol === 'http:' || protocol === 'https:') && !this.allowed.has(origin);
    });
    const all = [...this.problems, ...seen.problems, ...left.map((url) => `a resource came from outside the allowed origins: ${url}`)];
    if (all.length) throw new Error(`the page misbehaved in ${this.engine}:\n  ${all.join('\n  ')}`);
  }

  /**
   * Polls `fn(arg)` in the page until `accept(value)` and returns the value; on timeout fails with what
   * the page showed last. Stops early when the engine reported a problem.
   */
  async waitFor(fn, arg, accept, what, timeout = WAIT_MS) {
    const deadline = Date.now() + timeout;
    let value;
    for (;;) {
      if (this.problems.length) await this.assertNoProblems();
      value = await this.evaluate(fn, arg);
      if (accept(value)) return value;
      if (Date.now() > deadline) {
        await this.assertNoProblems();
        throw new Error(`${this.engine}: timed out after ${timeout} ms waiting for ${what}; the page shows ${JSON.stringify(value, null, 2)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// ---- Chromium: the shared harness ----

class ChromiumPage extends EnginePage {
  constructor(app, allowedOrigins) {
    super('chromium', allowedOrigins);
    this.app = app;
    this.problems = app.problems;
  }
  evaluate(fn, arg) {
    return this.app.page.evaluate(fn, arg);
  }
  click(selector) {
    return this.app.until(() => this.app.page.click(selector), `a click on ${selector}`);
  }
  chooseFiles(selector, paths) {
    return this.app.until(() => this.app.page.setInputFiles(selector, paths), `${selector} to take the files`);
  }
  async typeAndEnter(selector, text) {
    await this.app.page.fill(selector, text);
    await this.app.page.press(selector, 'Enter');
  }
  async assertNoProblems() {
    await this.app.assertNoProblems();
    await super.assertNoProblems();
  }
  async close() {
    try {
      await super.assertNoProblems();
    } finally {
      await this.app.close();
    }
  }
}

async function launchChromium() {
  requireFile(CHROMIUM, 'Chromium (Debian package chromium)');
  const browser = await launchBrowser();
  const version = browser.context.browser()?.version() ?? (await chromiumVersion(browser.context));
  return {
    name: 'chromium',
    version,
    async open(origin, { path = '/', allowedOrigins = [] } = {}) {
      const app = await AppPage.open(browser.context, origin, { path, allowedOrigins, realPreflights: true });
      return new ChromiumPage(app, [origin, ...allowedOrigins]);
    },
    close: () => browser.close(),
  };
}

/** A persistent context has no Browser object; the user agent names the version instead. */
async function chromiumVersion(context) {
  const page = await context.newPage();
  try {
    return /Chrome\/([\d.]+)/.exec(await page.evaluate(() => navigator.userAgent))?.[1] ?? 'unknown';
  } finally {
    await page.close();
  }
}

// ---- Firefox: puppeteer-core over WebDriver BiDi ----

class PuppeteerPage extends EnginePage {
  constructor(page, origin, allowedOrigins) {
    super('firefox', [origin, ...allowedOrigins]);
    this.page = page;
    page.on('pageerror', (err) => {
      // Firefox reports a response it refused to hand to the page (no CORS header on a registry's 404
      // from an endpoint it lacks) as an error log entry, which puppeteer passes on as a page error.
      // Chromium logs the same as a console message; the page handles the failed fetch itself.
      const text = String(err.message ?? err);
      if (!CORS_REFUSAL.test(text)) this.problems.push(`uncaught page error: ${text}`);
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error' && FATAL_CONSOLE.test(msg.text())) this.problems.push(`console error: ${msg.text()}`);
    });
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol.startsWith('http') && !this.allowed.has(url.origin)) {
        this.problems.push(`request left the allowed origins: ${request.method()} ${url.href}`);
      }
    });
    page.on('response', (res) => {
      const url = new URL(res.url());
      if (url.origin === origin && res.status() >= 400 && !expectedMiss(url.pathname, res.status())) {
        this.problems.push(`HTTP ${res.status()} for ${url.pathname}`);
      }
    });
  }
  evaluate(fn, arg) {
    return this.page.evaluate(fn, arg);
  }
  click(selector) {
    return this.page.click(selector);
  }
  async chooseFiles(selector, paths) {
    const input = await this.page.$(selector);
    if (!input) throw new Error(`firefox: no ${selector}`);
    await input.uploadFile(...paths);
  }
  async typeAndEnter(selector, text) {
    await this.page.type(selector, text);
    await this.page.keyboard.press('Enter');
  }
  async goto(url) {
    await this.page.goto(url, { waitUntil: 'load' });
  }
  async close() {
    try {
      await this.assertNoProblems();
    } finally {
      await this.page.close().catch(() => {});
    }
  }
}

async function launchFirefox() {
  requireFile(FIREFOX, 'Firefox ESR (Debian package firefox-esr)');
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX,
    headless: true,
    extraPrefsFirefox: FIREFOX_PREFS,
    defaultViewport: VIEWPORT,
  });
  const version = await browser.version();
  return {
    name: 'firefox',
    version,
    async open(origin, { path = '/', allowedOrigins = [] } = {}) {
      const page = await browser.newPage();
      page.setDefaultTimeout(WAIT_MS);
      await page.evaluateOnNewDocument(installRecorder, FATAL_CONSOLE.source);
      const wrapped = new PuppeteerPage(page, origin, allowedOrigins);
      await wrapped.goto(new URL(path, origin).href);
      await mounted(wrapped);
      return wrapped;
    },
    close: () => browser.close(),
  };
}

/**
 * Waits until the full page has mounted: its paste box exists and the static first-paste markup of
 * index.html (`#first`, which has a paste box too) is gone.
 */
function mounted(page) {
  return page.waitFor(
    () => document.querySelector('[data-testid="paste"]') !== null && document.getElementById('first') === null,
    null,
    Boolean,
    'the app to mount',
  );
}

// ---- WebKit: WebKitWebDriver + MiniBrowser on Xvfb ----

/** The W3C WebDriver element reference key. */
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** The smallest W3C WebDriver client that does what the smoke suite needs. */
class WebDriverSession {
  constructor(base, id, capabilities) {
    this.base = base;
    this.id = id;
    this.capabilities = capabilities;
  }

  static async create(base, capabilities) {
    const created = await command(base, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } });
    return new WebDriverSession(base, created.sessionId, created.capabilities);
  }

  send(method, path, body) {
    return command(this.base, method, `/session/${this.id}${path}`, body);
  }

  async find(selector) {
    const found = await this.send('POST', '/element', { using: 'css selector', value: selector });
    return found[ELEMENT];
  }

  delete() {
    return command(this.base, 'DELETE', `/session/${this.id}`);
  }
}

/** One WebDriver command; a WebDriver error becomes an exception with its error code and message. */
async function command(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json; charset=utf-8' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const { value } = await res.json();
  if (!res.ok || value?.error) throw new Error(`WebDriver ${method} ${path}: ${value?.error}: ${value?.message}`);
  return value;
}

class WebDriverPage extends EnginePage {
  constructor(session, allowedOrigins) {
    super('webkit', allowedOrigins);
    this.session = session;
  }
  async evaluate(fn, arg) {
    return this.session.send('POST', '/execute/sync', { script: `return (${fn}).call(null, arguments[0]);`, args: [arg ?? null] });
  }
  async click(selector) {
    const id = await this.session.find(selector);
    await this.session.send('POST', `/element/${id}/click`, {});
  }
  async chooseFiles(selector, paths) {
    const id = await this.session.find(selector);
    await this.session.send('POST', `/element/${id}/value`, { text: paths.join('\n') });
  }
  async typeAndEnter(selector, text) {
    const id = await this.session.find(selector);
    await this.session.send('POST', `/element/${id}/value`, { text: `${text}\uE007` });
  }
  async goto(url) {
    // A new document each time: a fragment-only change would not reload the page.
    await this.session.send('POST', '/url', { url: 'about:blank' });
    await this.session.send('POST', '/url', { url });
  }
  async close() {
    await this.assertNoProblems();
  }
}

/** Starts Xvfb on a display it picks itself (-displayfd) and returns `{ display, stop }`. */
async function startXvfb() {
  requireFile(XVFB, 'Xvfb (Debian package xvfb)');
  const xvfb = spawnChild(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let log = '';
  xvfb.stderr.on('data', (d) => (log += d));
  const display = await new Promise((ok, fail) => {
    xvfb.stdio[3].once('data', (d) => ok(`:${String(d).trim()}`));
    xvfb.once('exit', (code) => fail(new Error(`Xvfb exited with ${code}: ${log}`)));
  });
  return { display, stop: () => stopProcess(xvfb) };
}

/** Ends the processes this module started if node exits without closing them (a crashed test run). */
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGTERM');
});

/** Spawns a helper process that is ended when node exits. */
function spawnChild(command, args, options) {
  const child = spawn(command, args, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    child.once('exit', ok);
    child.kill('SIGTERM');
  });
}

/** Waits until WebKitWebDriver answers its status endpoint. */
async function driverReady(base, driver, log) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${driver.exitCode}: ${log()}`);
    const ready = await fetch(`${base}/status`).then((r) => r.json(), () => null);
    if (ready?.value?.ready !== undefined) return;
    if (Date.now() > deadline) throw new Error(`WebKitWebDriver did not answer on ${base}: ${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * An HTTP proxy on 127.0.0.1 for the browser: forwards requests to the origins the current page allows,
 * answers anything else with 403 and reports it (`onProblem`), and refuses CONNECT (no https here).
 * Unlike the Performance API it also sees requests that failed and requests from workers.
 */
async function startWatchingProxy() {
  const watch = { pageOrigin: null, allowed: new Set(), onProblem: () => {} };
  const server = createServer((req, res) => {
    let url;
    try {
      url = new URL(req.url);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (!watch.allowed.has(url.origin)) {
      watch.onProblem(`request left the allowed origins: ${req.method} ${url.href}`);
      res.writeHead(403).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const upstream = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers },
      (answer) => {
        if (url.origin === watch.pageOrigin && answer.statusCode >= 400 && !expectedMiss(url.pathname, answer.statusCode)) {
          watch.onProblem(`HTTP ${answer.statusCode} for ${url.pathname}`);
        }
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, socket) => {
    watch.onProblem(`request left the allowed origins: CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  return { ...(await listen(server)), watch };
}

async function launchWebKit() {
  requireFile(WEBKIT_DRIVER, 'WebKitWebDriver (Debian package webkit2gtk-driver)');
  requireFile(MINIBROWSER, 'MiniBrowser (Debian package libwebkit2gtk-4.1-0)');
  const proxy = await startWatchingProxy();
  const xvfb = await startXvfb();
  const driver = spawnChild(WEBKIT_DRIVER, [`--port=${WEBKIT_DRIVER_PORT}`, '--host=127.0.0.1'], {
    env: { ...process.env, DISPLAY: xvfb.display },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  driver.stdout.on('data', (d) => (log += d));
  driver.stderr.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${WEBKIT_DRIVER_PORT}`;
  const stop = async () => {
    await stopProcess(driver);
    await xvfb.stop();
    await proxy.close();
  };
  let session;
  try {
    await driverReady(base, driver, () => log);
    session = await WebDriverSession.create(base, {
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', `--proxy=${proxy.origin}`] },
    });
    await session.send('POST', '/window/rect', VIEWPORT);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    name: 'webkit',
    version: `${session.capabilities.browserName} ${session.capabilities.browserVersion}`,
    async open(origin, { path = '/', allowedOrigins = [] } = {}) {
      const page = new WebDriverPage(session, [origin, ...allowedOrigins]);
      proxy.watch.pageOrigin = origin;
      proxy.watch.allowed = page.allowed;
      proxy.watch.onProblem = (text) => page.problems.push(text);
      await page.goto(new URL(path, origin).href);
      await mounted(page);
      await page.evaluate(installRecorder, FATAL_CONSOLE.source);
      return page;
    },
    async close() {
      await session.delete().catch(() => {});
      await stop();
    },
  };
}
