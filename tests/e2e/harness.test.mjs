// Proves the harness itself can fail: against tiny pages written to a temporary directory (not the
// app), it must report a Rust panic, a WebAssembly trap, an uncaught error, a CSP violation, a request
// leaving the origin and a missing asset, and it must hand files to the page byte for byte.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppPage, launchBrowser } from './lib/harness.mjs';
import { startStaticServer } from './lib/server.mjs';

const CSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'">`;
const page = (script, csp = CSP) =>
  `<!doctype html><html><head><meta charset="utf-8">${csp}<script src="${script}"></script></head>` +
  `<body><textarea data-testid="paste"></textarea><input type="file" multiple data-testid="file">` +
  `<div data-testid="dropzone">drop</div></body></html>`;

const SITE = {
  'panic.html': page('panic.js'),
  'panic.js': `console.error('panicked at src/core/manifest.rs:10:5:\\nindex out of bounds');`,
  'trap.html': page('trap.js'),
  'trap.js': `addEventListener('DOMContentLoaded', () => document.querySelector('textarea').addEventListener('input', () => { throw new WebAssembly.RuntimeError('unreachable'); }));`,
  'csp.html': page('csp.js'),
  'csp.js': `addEventListener('DOMContentLoaded', () => { const s = document.createElement('script'); s.textContent = '1'; document.body.append(s); });`,
  'leak.html': page('leak.js', ''),
  'leak.js': `fetch('https://registry.example.invalid/v2/').catch(() => {});`,
  'missing.html': page('no-such-file.js'),
  'bytes.html': page('bytes.js'),
  'bytes.js': `
    const show = async (files) => { window.received = await Promise.all([...files].map(async (f) =>
      ({ name: f.name, hex: [...new Uint8Array(await f.arrayBuffer())].map((b) => b.toString(16).padStart(2, '0')).join('') }))); };
    addEventListener('DOMContentLoaded', () => {
      document.querySelector('input').addEventListener('change', (e) => show(e.target.files));
      const zone = document.querySelector('[data-testid="dropzone"]');
      zone.addEventListener('dragover', (e) => e.preventDefault());
      zone.addEventListener('drop', (e) => { e.preventDefault(); show(e.dataTransfer.files); });
    });`,
  'm.wasm': '\0asm\x01\0\0\0',
};

describe('the harness', () => {
  let dir;
  let server;
  let browser;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'digestlens-e2e-site-'));
    for (const [name, body] of Object.entries(SITE)) await writeFile(join(dir, name), body);
    server = await startStaticServer(dir);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Opens `path`, does `act`, and returns the harness's complaint (or fails if there is none). */
  async function complaint(path, act = async () => {}) {
    let app;
    try {
      app = await AppPage.open(browser.context, server.origin, { path });
      await act(app);
      await app.close();
    } catch (err) {
      await app?.page.close();
      return err.message;
    }
    assert.fail(`the harness saw nothing wrong with ${path}`);
  }

  test('the server sends WebAssembly as application/wasm and scripts as text/javascript', async () => {
    const wasm = await fetch(`${server.origin}/m.wasm`);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    const js = await fetch(`${server.origin}/bytes.js`);
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    const index = await fetch(`${server.origin}/panic.html`);
    assert.match(index.headers.get('content-type'), /^text\/html/);
  });

  test('the server does not serve files outside its directory', async () => {
    const res = await fetch(`${server.origin}/%2e%2e/%2e%2e/etc/passwd`);
    assert.equal(res.status, 404);
  });

  test('a Rust panic in the console fails the test', async () => {
    assert.match(await complaint('/panic.html'), /panicked at src\/core\/manifest\.rs/);
  });

  test('a WebAssembly trap fails the test as soon as it happens, not at a timeout', async () => {
    const started = Date.now();
    const message = await complaint('/trap.html', async (app) => {
      await app.paste('{}');
      await app.waitForDigests(1);
    });
    assert.match(message, /RuntimeError: unreachable/);
    assert.ok(Date.now() - started < 5000, 'the wait stopped at the first problem');
  });

  test('a Content-Security-Policy violation fails the test', async () => {
    assert.match(await complaint('/csp.html'), /CSP violation: .*script-src/);
  });

  test('a request that leaves the page origin is blocked and fails the test', async () => {
    assert.match(await complaint('/leak.html'), /request left the page's origin: GET https:\/\/registry\.example\.invalid\/v2\//);
  });

  test('a missing asset fails the test', async () => {
    assert.match(await complaint('/missing.html'), /HTTP 404 for \/no-such-file\.js/);
  });

  const RAW = [
    { name: 'crlf.json', mimeType: 'application/json', buffer: Buffer.from('{\r\n"a": 1\r\n}\r\n') },
    { name: 'bom.json', mimeType: 'application/json', buffer: Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]) },
    { name: 'bad-utf8.bin', mimeType: 'application/octet-stream', buffer: Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x00, 0x7d]) },
  ];
  const asReceived = (files) => files.map((f) => ({ name: f.name, hex: f.buffer.toString('hex') }));

  for (const [how, give] of [
    ['chosen in the file input', (app, files) => app.chooseFiles(files)],
    ['dropped on the drop zone', (app, files) => app.dropFiles(files)],
  ]) {
    test(`files ${how} reach the page byte for byte`, async () => {
      const app = await AppPage.open(browser.context, server.origin, { path: '/bytes.html' });
      try {
        await give(app, RAW);
        await app.page.waitForFunction(() => window.received);
        assert.deepEqual(await app.page.evaluate(() => window.received), asReceived(RAW));
      } finally {
        await app.close();
      }
    });
  }
});
