// End-to-end: a person pastes text into the built page and reads the digest of its UTF-8 bytes, the
// size, the kind and what is worth knowing about it. Expected digests come from node's crypto.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useApp } from './lib/harness.mjs';
import { FOUR_MIB, sha256, sha512, utf8 } from './lib/expected.mjs';
import {
  OCI_MANIFEST,
  OCI_MANIFEST_DESCRIPTORS,
  OCI_MANIFEST_MEDIA_TYPE,
  OVER_FOUR_MIB,
  jsonOfSize,
} from './lib/samples.mjs';

/** Pastes `text` and waits until the one shown document carries the digest of exactly those bytes. */
async function pasteAndRead(app, text) {
  const expected = sha256(utf8(text));
  await app.paste(text);
  const [doc] = await app.waitForDocuments(
    (docs) => docs.length === 1 && docs[0].digest === expected,
    `one document with digest ${expected} (sha256 of the ${utf8(text).length} pasted bytes)`,
  );
  return doc;
}

describe('pasting text', () => {
  const app = useApp();

  test('a pasted OCI manifest shows the sha256 of its bytes, its size in bytes and its kind', async () => {
    const doc = await pasteAndRead(app(), OCI_MANIFEST);
    assert.equal(doc.digest, sha256(utf8(OCI_MANIFEST)));
    assert.equal(doc.bytes, utf8(OCI_MANIFEST).length);
    assert.equal(doc.kind, 'oci-manifest');
    assert.ok(doc.kindText.length > 0, 'the kind is named in words');
    assert.equal(doc.mediaType, OCI_MANIFEST_MEDIA_TYPE);
  });

  test('a pasted manifest lists its config and layer descriptors in document order', async () => {
    const doc = await pasteAndRead(app(), OCI_MANIFEST);
    assert.deepEqual(doc.descriptors, OCI_MANIFEST_DESCRIPTORS);
  });

  test('a trailing newline changes the digest, and the digest without it is offered', async () => {
    const withoutNewline = await pasteAndRead(app(), OCI_MANIFEST);
    const withNewline = await pasteAndRead(app(), `${OCI_MANIFEST}\n`);
    assert.notEqual(withNewline.digest, withoutNewline.digest);
    assert.equal(withNewline.bytes, withoutNewline.bytes + 1);
    assert.match(withNewline.findingsText, /newline/i);
    assert.equal(withNewline.digestWithoutNewline, withoutNewline.digest);
    assert.equal(withoutNewline.digestWithoutNewline, null, 'no newline finding without a trailing newline');
  });

  test('non-ASCII text is hashed as UTF-8 and its size counts bytes, not characters', async () => {
    const text = OCI_MANIFEST.replace('https://example.invalid/app', 'https://example.invalid/caf\u00e9/\u{1F433}');
    assert.notEqual(utf8(text).length, text.length, 'the sample must differ in bytes and UTF-16 units');
    const doc = await pasteAndRead(app(), text);
    assert.equal(doc.bytes, utf8(text).length);
    assert.equal(doc.kind, 'oci-manifest');
  });

  test('invalid JSON still gets its digest and a finding that names the line and column', async () => {
    // The stray word `oops` starts on line 3, column 16 (both counted from 1).
    const text = '{\n  "schemaVersion": 2,\n  "mediaType": oops\n}';
    const doc = await pasteAndRead(app(), text);
    assert.equal(doc.bytes, utf8(text).length);
    assert.equal(doc.kind, 'not-json');
    const where = /line\s*(\d+)\D{0,20}?column\s*(\d+)/i.exec(doc.findingsText);
    assert.ok(where, `a finding names "line N" and "column M": ${JSON.stringify(doc.findings)}`);
    assert.equal(Number(where[1]), 3);
    // A parser may point at the offending character or at the last good one before it.
    assert.ok(Math.abs(Number(where[2]) - 16) <= 1, `column ${where[2]} is at the stray word (16)`);
  });

  test('clearing the paste box leaves a hint and no error', async () => {
    await pasteAndRead(app(), OCI_MANIFEST);
    const previous = sha256(utf8(OCI_MANIFEST));
    await app().paste('');
    const docs = await app().waitForDocuments(
      (d) => d.every((doc) => doc.digest !== previous),
      'the pasted document to go away or become empty',
    );
    if (docs.length === 0) {
      const hints = (await app().texts('hint')).filter(Boolean);
      assert.ok(hints.length > 0, 'with no document shown, a [data-testid="hint"] says what to do');
    } else {
      assert.equal(docs.length, 1);
      assert.equal(docs[0].kind, 'empty');
      assert.ok(docs[0].kindText.length > 0, 'the empty kind is explained in words');
      if (docs[0].digest !== null) assert.equal(docs[0].digest, sha256(Buffer.alloc(0)));
    }
    assert.deepEqual((await app().texts('error')).filter(Boolean), [], 'an empty paste is not an error');
  });

  test('a pasted document of 4 MiB + 1 byte is hashed and flagged as too large', async () => {
    const text = jsonOfSize(OVER_FOUR_MIB);
    const doc = await pasteAndRead(app(), text);
    assert.equal(doc.bytes, OVER_FOUR_MIB);
    assert.match(doc.findingsText, /4\s*MiB/i);
  });

  test('a pasted document of exactly 4 MiB is not flagged', async () => {
    const doc = await pasteAndRead(app(), jsonOfSize(FOUR_MIB));
    assert.equal(doc.bytes, FOUR_MIB);
    assert.doesNotMatch(doc.findingsText, /4\s*MiB/i);
  });

  test('a plain input Event (as autofill and extensions fire) is taken like typing, without an error', async () => {
    // Not an InputEvent: it has no inputType. The harness fails the test on any page error.
    await app().until(
      () =>
        app().page.locator('[data-testid="paste"]').evaluate((el, value) => {
          el.value = value;
          el.dispatchEvent(new Event('input', { bubbles: true }));
        }, OCI_MANIFEST),
      'the paste box to take the value',
    );
    const expected = sha256(utf8(OCI_MANIFEST));
    const [doc] = await app().waitForDocuments((d) => d.length === 1 && d[0].digest === expected, `the digest ${expected}`);
    assert.equal(doc.digest, expected);
    await app().assertNoProblems();
  });

  test('the sha512 toggle shows the sha512 of the same bytes', async () => {
    await pasteAndRead(app(), OCI_MANIFEST);
    await app().click('sha512-toggle');
    const expected = sha512(utf8(OCI_MANIFEST));
    const [doc] = await app().waitForDocuments((d) => d.length === 1 && d[0].sha512 !== null, 'the sha512 to show');
    assert.equal(doc.sha512, expected);
  });

  test('an empty page offers no sha512 button', async () => {
    await app().page.locator('[data-testid="paste"]').waitFor();
    assert.equal(await app().page.locator('[data-testid="sha512-toggle"]').count(), 0);
  });

  test('the sha512 toggle shows each document\'s sha512 where it can be seen, closed cards included', async () => {
    const file = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a manifest\n', 'utf8') };
    await app().paste(OCI_MANIFEST);
    await app().chooseFiles([file]);
    await app().waitForDigests(2);
    await app().click('sha512-toggle');
    const expected = new Map([
      [sha256(utf8(OCI_MANIFEST)), sha512(utf8(OCI_MANIFEST))],
      [sha256(file.buffer), sha512(file.buffer)],
    ]);
    const cards = app().page.locator('[data-testid="document"]');
    await app().until(() => cards.locator('[data-testid="sha512"]').nth(1).waitFor(), 'two sha512 values');
    for (let i = 0; i < 2; i++) {
      const card = cards.nth(i);
      const digest = (await card.locator('[data-testid="digest"]').textContent()).trim();
      const shown = card.locator('[data-testid="sha512"]');
      assert.ok(await shown.isVisible(), `the sha512 of ${digest} is visible`);
      assert.equal((await shown.textContent()).trim(), expected.get(digest));
    }
  });
});
