// End-to-end: the address bar carries the analysis (issue 5). A person analyses pasted text and files,
// sends the link, and whoever opens it in another browser sees the same documents with the same digests;
// Back/Forward move between analyses; a damaged, foreign or hostile link gives a clear message and an
// empty, usable page. Expected digests come from node's crypto over the original bytes, and hostile
// links are built here with node's zlib, independently of the page's Rust encoder.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { after, afterEach, before, describe, test } from 'node:test';
import { AppPage, WAIT_MS, launchBrowser, startAppServer } from './lib/harness.mjs';
import { sha256, utf8 } from './lib/expected.mjs';
import { BOM, CRLF, INVALID_UTF8, OCI_MANIFEST, json } from './lib/samples.mjs';

// Pasted text with a BOM, a tab, non-ASCII and a trailing newline: all must come back as typed.
const PASTED = `\ufeff${OCI_MANIFEST.replace('"schemaVersion"', '\t"schemaVersion"').replace('example.invalid/app', 'example.invalid/caf\u00e9-\u{1F433}')}\n`;

/** The link the page shows, or '' when it shows none. */
const shownLink = (app) =>
  app.page.locator('[data-testid="permalink"]').evaluateAll((els) => els[0]?.value ?? els[0]?.href ?? '');

/**
 * Reads a link with node's zlib, independently of the page's Rust decoder, following the format
 * description in src/core/permalink.rs: `#v1.` base64url(raw-deflate(container) || crc32-le(container)),
 * container = records of tag varint, length varint, value; a document (tag 2) holds a name (tag 2)
 * and bytes (tag 4). Returns the documents as `{ name, bytes }`.
 */
function readLink(link) {
  const hash = new URL(link).hash;
  assert.match(hash, /^#v1\.[A-Za-z0-9_-]+$/, 'a v1 link in URL-safe characters only');
  const binary = Buffer.from(hash.slice(4), 'base64url');
  const container = inflateRawSync(binary.subarray(0, -4));
  assert.equal(binary.readUInt32LE(binary.length - 4), crc32(container), 'the CRC-32 trailer matches');
  const records = (buf) => {
    const out = [];
    let at = 0;
    const varint = () => {
      let n = 0;
      for (let shift = 1; ; shift *= 128) {
        const byte = buf[at++];
        n += (byte & 0x7f) * shift;
        if (byte < 0x80) return n;
      }
    };
    while (at < buf.length) {
      const tag = varint();
      const length = varint();
      out.push({ tag, value: buf.subarray(at, at + length) });
      at += length;
    }
    return out;
  };
  return records(container)
    .filter((r) => r.tag === 2)
    .map((doc) => {
      const fields = records(doc.value);
      return {
        name: fields.find((f) => f.tag === 2).value.toString('utf8'),
        bytes: Buffer.from(fields.find((f) => f.tag === 4).value),
      };
    });
}

/**
 * Waits until the page shows a link that the address bar carries too (it follows the analysis after a
 * short pause) and whose documents satisfy `accept`, and returns it.
 */
async function waitForLink(app, accept = () => true, what = 'a link') {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    app.throwIfProblems();
    const link = await shownLink(app);
    if (link && link === app.page.url() && accept(readLink(link))) return link;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what} in the page and the address bar: shows ${JSON.stringify(link.slice(0, 200))}, address ${app.page.url().slice(0, 200)}`);
    }
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** A test of a link's documents: exactly these byte strings, in any order. */
const carries = (...buffers) => (docs) =>
  JSON.stringify(docs.map((d) => sha256(d.bytes)).sort()) === JSON.stringify(buffers.map((b) => sha256(b)).sort());

/** Waits until the page shows an error containing `pattern` and returns its text. */
async function waitForError(app, pattern) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    app.throwIfProblems();
    const errors = await app.texts('error');
    const found = errors.find((e) => pattern.test(e));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no error matching ${pattern}; errors shown: ${JSON.stringify(errors)}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

const digestsOf = (docs) => docs.map((d) => d.digest).sort();
const pasteBox = (app) => app.page.inputValue('[data-testid="paste"]');

/** A fragment in link format v1 around any raw-deflate data: `v1.` base64url(deflate || crc32-le). */
function fragmentOf(deflated, container) {
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(container));
  return `v1.${Buffer.concat([deflated, crc]).toString('base64url')}`;
}

/** Asserts the page is empty and still works: a paste is analysed. */
async function assertEmptyAndUsable(app) {
  assert.deepEqual(await app.documents(), [], 'the page shows no documents from the link');
  assert.equal(await pasteBox(app), '', 'the paste box is empty');
  await app.paste(OCI_MANIFEST);
  const [doc] = await app.waitForDigests(1);
  assert.equal(doc.digest, sha256(utf8(OCI_MANIFEST)));
}

describe('permalinks', () => {
  let server;
  let browser;
  const open = [];
  before(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    const pages = open.splice(0);
    for (const page of pages) await page.close();
  });
  /** Opens the page at `path` (a fragment included) in the shared browser. */
  const openPage = async (path = '/', context = browser.context) => {
    const app = await AppPage.open(context, server.origin, { path });
    open.push(app);
    return app;
  };

  test('a link opened in a fresh browser shows the same documents with the same digests, byte for byte', async () => {
    const app = await openPage();
    const files = [CRLF, BOM, INVALID_UTF8];
    await app.paste(PASTED);
    await app.chooseFiles(files);
    const expected = [sha256(utf8(PASTED)), ...files.map((f) => sha256(f.buffer))].sort();
    assert.deepEqual(digestsOf(await app.waitForDigests(4)), expected);
    const link = await waitForLink(app, carries(utf8(PASTED), ...files.map((f) => f.buffer)), 'a link with all four documents');
    assert.deepEqual(
      readLink(link).map((d) => d.name),
      ['', ...files.map((f) => f.name)],
      'the pasted text travels unnamed, the files by name, in the order shown',
    );

    const fresh = await launchBrowser();
    try {
      const other = await AppPage.open(fresh.context, server.origin, { path: new URL(link).pathname + new URL(link).hash });
      try {
        const docs = await other.waitForDigests(4);
        assert.deepEqual(digestsOf(docs), expected);
        assert.deepEqual(docs.map((d) => d.bytes).sort(), [utf8(PASTED), ...files.map((f) => f.buffer)].map((b) => b.length).sort());
        assert.equal(await pasteBox(other), PASTED, 'the pasted text is back in the paste box, exactly');
        assert.equal(await shownLink(other), link, 'the opened page offers the same link');
        assert.deepEqual(await other.texts('error'), []);
      } finally {
        await other.close();
      }
    } finally {
      await fresh.close();
    }
  });

  test('the link shows its length and the address bar carries it', async () => {
    const app = await openPage();
    await app.paste(OCI_MANIFEST);
    const link = await waitForLink(app, carries(utf8(OCI_MANIFEST)));
    const [length] = await app.page.locator('[data-testid="permalink-length"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-chars')));
    assert.equal(Number(length), link.length);
    assert.ok(link.length < 8000, `a 1 KB manifest makes a short link (${link.length} characters)`);
    assert.equal(await app.page.locator('[data-testid="permalink-warning"]').count(), 0);
  });

  test('Back and Forward move between two analyses', async () => {
    const app = await openPage();
    const first = `${OCI_MANIFEST}\n`;
    await app.paste(first);
    await app.waitForDocuments((d) => d.length === 1 && d[0].digest === sha256(utf8(first)), 'the first analysis');
    const firstLink = await waitForLink(app, carries(utf8(first)));

    await app.click('clear');
    await app.chooseFiles([CRLF, INVALID_UTF8]);
    const second = [sha256(CRLF.buffer), sha256(INVALID_UTF8.buffer)].sort();
    await app.waitForDocuments((d) => JSON.stringify(digestsOf(d)) === JSON.stringify(second), 'the second analysis');
    const secondLink = await waitForLink(app, carries(CRLF.buffer, INVALID_UTF8.buffer));

    await app.page.goBack();
    await app.waitForDocuments((d) => d.length === 1 && d[0].digest === sha256(utf8(first)), 'the first analysis after Back');
    assert.equal(app.page.url(), firstLink);
    assert.equal(await pasteBox(app), first);
    assert.equal(await shownLink(app), firstLink);

    await app.page.goForward();
    await app.waitForDocuments((d) => JSON.stringify(digestsOf(d)) === JSON.stringify(second), 'the second analysis after Forward');
    assert.equal(app.page.url(), secondLink);
    assert.equal(await pasteBox(app), '');
  });

  test('typing updates the link without adding a history entry per keystroke', async () => {
    const app = await openPage();
    await app.paste(OCI_MANIFEST);
    await waitForLink(app, carries(utf8(OCI_MANIFEST)));
    const entries = await app.page.evaluate(() => history.length);
    await app.page.locator('[data-testid="paste"]').pressSequentially('\n{"more": 1}', { delay: 20 });
    const edited = await pasteBox(app);
    assert.ok(edited.includes('{"more": 1}') && edited.length > OCI_MANIFEST.length, 'the keystrokes reached the paste box');
    await app.waitForDocuments((d) => d.length === 1 && d[0].digest === sha256(utf8(edited)), 'the edited text');
    const after = await waitForLink(app, carries(utf8(edited)));
    assert.equal(await app.page.evaluate(() => history.length), entries, 'no history entry was added');

    const reopened = await openPage(new URL(after).pathname + new URL(after).hash);
    const [doc] = await reopened.waitForDigests(1);
    assert.equal(doc.digest, sha256(utf8(edited)));
  });

  test('a link typed into the address bar of an open page replaces its analysis', async () => {
    const source = await openPage();
    await source.chooseFiles([BOM]);
    await source.waitForDigests(1);
    const link = await waitForLink(source, carries(BOM.buffer));

    const app = await openPage();
    await app.paste(OCI_MANIFEST);
    await waitForLink(app, carries(utf8(OCI_MANIFEST)));
    await app.page.goto(link);
    await app.waitForDocuments((d) => d.length === 1 && d[0].digest === sha256(BOM.buffer), 'the linked analysis');
    assert.equal(await pasteBox(app), '');
  });

  for (const [what, damage, message] of [
    ['a link with a changed character', (f) => f.slice(0, 20) + (f[20] === 'A' ? 'B' : 'A') + f.slice(21), /could not be opened: .*(damaged|altered|checksum|cut off)/i],
    ['a cut-off link', (f) => f.slice(0, Math.floor(f.length / 2)), /could not be opened: .*(cut off|damaged)/i],
    ['a link with a character no link contains', (f) => `${f.slice(0, 10)}!${f.slice(10)}`, /could not be opened: .*'!'/],
  ]) {
    test(`${what} shows why it cannot be opened and an empty, usable page`, async () => {
      const source = await openPage();
      await source.chooseFiles([CRLF]);
      await source.waitForDigests(1);
      const fragment = new URL(await waitForLink(source, carries(CRLF.buffer))).hash.slice(1);

      const app = await openPage(`/#${damage(fragment)}`);
      await waitForError(app, message);
      await assertEmptyAndUsable(app);
    });
  }

  for (const [what, fragment, message] of [
    ["another site's fragment", 'section-2', /not a Digest Lens permalink/],
    ['a link from a newer version', 'v2.AAAA', /newer Digest Lens.*v2/],
  ]) {
    test(`${what} shows why it cannot be opened and an empty, usable page`, async () => {
      const app = await openPage(`/#${fragment}`);
      await waitForError(app, message);
      await assertEmptyAndUsable(app);
    });
  }

  test('a zip bomb link is refused quickly, without a hang', async () => {
    const zeros = Buffer.alloc(20 * 1024 * 1024);
    const fragment = fragmentOf(deflateRawSync(zeros, { level: 9 }), zeros);
    assert.ok(fragment.length < 64 * 1024, `the bomb is small (${fragment.length} characters)`);
    const started = Date.now();
    const app = await openPage(`/#${fragment}`);
    await waitForError(app, /could not be opened: .*larger than \d+ bytes/);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5000, `refused in ${elapsed} ms`);
    await assertEmptyAndUsable(app);
  });

  test('a link built by another encoder from the format description opens with the same digest', async () => {
    // container = one document record: tag 2, length, { tag 2 name, tag 4 bytes } (see src/core/permalink.rs).
    const varint = (n) => {
      const out = [];
      do {
        out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
        n = Math.floor(n / 128);
      } while (n > 0);
      return Buffer.from(out);
    };
    const record = (tag, value) => Buffer.concat([varint(tag), varint(value.length), value]);
    const bytes = INVALID_UTF8.buffer;
    const container = record(2, Buffer.concat([record(2, Buffer.from('by-hand.json')), record(4, bytes)]));
    const app = await openPage(`/#${fragmentOf(deflateRawSync(container), container)}`);
    const [doc] = await app.waitForDigests(1);
    assert.equal(doc.digest, sha256(bytes));
  });

  test('a link longer than 8000 characters comes with a warning that apps may truncate it', async () => {
    const app = await openPage();
    const random = randomBytes(16 * 1024);
    await app.chooseFiles([{ name: 'random.bin', buffer: random }]);
    const link = await waitForLink(app, carries(random));
    assert.ok(link.length > 8000, `${link.length} characters`);
    const [warning] = await app.texts('permalink-warning');
    assert.match(warning, /long.*truncate/);
  });

  test('a link past 1 MiB warns that Firefox will not open it', async () => {
    const app = await openPage();
    const random = randomBytes(900 * 1024);
    await app.chooseFiles([{ name: 'random.bin', buffer: random }]);
    const link = await waitForLink(app, carries(random));
    assert.ok(link.length > 1024 * 1024, `${link.length} characters`);
    const [warning] = await app.texts('permalink-warning');
    assert.match(warning, /Firefox/);
  });

  test('an analysis too large for a link is refused with the reason, and a link without the largest documents is offered', async () => {
    const app = await openPage();
    const big = { name: 'big-random.bin', buffer: randomBytes(700 * 1024) };
    const bigger = { name: 'bigger-random.bin', buffer: randomBytes(1000 * 1024) };
    await app.paste(OCI_MANIFEST);
    await app.chooseFiles([big, bigger]);
    await app.waitForDigests(3);
    const refusal = app.page.locator('[data-testid="permalink-refused"]');
    await app.until(() => refusal.waitFor(), 'the refusal');
    assert.match(await refusal.innerText(), /cannot travel in a link: .*(browsers accept at most|more than browsers accept)/);
    assert.equal(await shownLink(app), '', 'no link is offered');
    assert.equal(new URL(app.page.url()).hash, '', 'the address bar carries no partial analysis');

    await app.click('permalink-leave-out');
    const link = await waitForLink(app, carries(utf8(OCI_MANIFEST), big.buffer), 'a link without the largest document');
    const [leftOut] = await app.texts('permalink-left-out');
    assert.match(leftOut, /bigger-random\.bin/);
    assert.doesNotMatch(leftOut, /OCI|pasted/i);

    const reopened = await openPage(new URL(link).pathname + new URL(link).hash);
    const docs = await reopened.waitForDigests(2);
    assert.deepEqual(digestsOf(docs), [sha256(utf8(OCI_MANIFEST)), sha256(big.buffer)].sort());
  });

  test('a document over 4 MiB is refused by name of the limit', async () => {
    const app = await openPage();
    await app.chooseFiles([json('huge.json', Buffer.from(`{"padding":"${'x'.repeat(4 * 1024 * 1024)}"}`))]);
    await app.waitForDigests(1);
    const refusal = app.page.locator('[data-testid="permalink-refused"]');
    await app.until(() => refusal.waitFor(), 'the refusal');
    assert.match(await refusal.innerText(), /at most 4194304 bytes/);
    assert.equal(await app.page.locator('[data-testid="permalink-leave-out"]').count(), 0, 'nothing to leave out with one document');
  });
});
