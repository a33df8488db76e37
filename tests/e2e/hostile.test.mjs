// End-to-end: hostile and broken inputs from the corpus (tests/hostile/expected.json, the cases marked
// "page") given to the built page, pasted or as files. Each must show the digest of the exact bytes (node's
// crypto, and the sha256sum recorded in the corpus), its kind and the findings' words; HTML and script in
// the input must appear as text, never as elements; no dialog may open; and the page must still work
// afterwards. The harness fails a test on any panic, page error or CSP violation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, useApp } from './lib/harness.mjs';
import { sha256, utf8 } from './lib/expected.mjs';
import { OCI_MANIFEST } from './lib/samples.mjs';

const HOSTILE_DIR = join(REPO_ROOT, 'tests/hostile');
const corpus = JSON.parse(await readFile(join(HOSTILE_DIR, 'expected.json'), 'utf8'));

/** The input's exact bytes: its file, or its recipe of [text, times] parts. */
async function bytesOf(input) {
  if (input.file) return readFile(join(HOSTILE_DIR, input.file));
  return Buffer.concat(input.recipe.map(([text, times]) => Buffer.from(text.repeat(times), 'utf8')));
}

const IMG = '<img src=x onerror=alert(1)>';

/** Everything in the page that could run or load something an input brought in. */
async function injectedElements(page) {
  return page.evaluate(() => ({
    imgs: document.querySelectorAll('img[src="x"], img[onerror]').length,
    scripts: [...document.scripts].filter((s) => !s.src).length,
    handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
    javascriptLinks: document.querySelectorAll('a[href^="javascript:" i], [src^="javascript:" i]').length,
  }));
}

/** Gives `bytes` to the page the way `input.page` says, and returns the document showing them. */
async function give(app, input, bytes, how) {
  const expected = sha256(bytes);
  if (how === 'paste') {
    const text = bytes.toString('utf8');
    assert.deepEqual(utf8(text), bytes, `${input.name} is valid UTF-8, so pasting gives the same bytes`);
    await app.paste(text);
  } else if (how === 'drop') {
    await app.dropFiles([{ name: input.name, mimeType: 'application/json', buffer: bytes }]);
  } else {
    await app.chooseFiles([{ name: input.name, mimeType: 'application/json', buffer: bytes }]);
  }
  const docs = await app.waitForDocuments(
    (d) => d.some((doc) => doc.bytesDigest === expected),
    `a document showing ${expected}, the sha256 of the ${bytes.length} bytes of ${input.name}`,
  );
  return docs.find((doc) => doc.bytesDigest === expected);
}

/** The page still takes a normal manifest afterwards and shows its digest. */
async function assertStillUsable(app) {
  const expected = sha256(utf8(OCI_MANIFEST));
  await app.paste(OCI_MANIFEST);
  const docs = await app.waitForDocuments((d) => d.some((doc) => doc.digest === expected), 'a normal manifest afterwards');
  assert.equal(docs.find((doc) => doc.digest === expected).kind, 'oci-manifest');
}

describe('hostile input in the page', () => {
  const app = useApp();
  const sample = corpus.inputs.filter((input) => input.page);
  let files = 0;

  test('the corpus marks at least 8 inputs for the page', () => {
    assert.ok(sample.length >= 8, `only ${sample.length}`);
  });

  for (const input of sample) {
    // Files alternate between the file picker and a drop, so both paths see hostile bytes.
    const how = input.page === 'paste' ? 'paste' : files++ % 2 === 0 ? 'file' : 'drop';
    test(`${input.name} (${how}): ${input.about}`, async () => {
      const a = app();
      const dialogs = [];
      a.page.on('dialog', (d) => {
        dialogs.push(d.message());
        d.dismiss().catch(() => {});
      });
      const before = await injectedElements(a.page);
      const bytes = await bytesOf(input);
      assert.equal(sha256(bytes), input.sha256, 'node and sha256sum agree on the corpus bytes');

      const doc = await give(a, input, bytes, how);
      assert.equal(doc.bytesDigest, input.sha256);
      assert.equal(doc.bytes, input.size);
      assert.equal(doc.kind, input.kind);
      for (const words of input.messages) {
        assert.ok(doc.findingsText.includes(words), `the findings say ${JSON.stringify(words)}: ${JSON.stringify(doc.findings)}`);
      }
      if (input.findings.length === 0) assert.deepEqual(doc.findings, [], 'no findings for this input');

      assert.deepEqual(await injectedElements(a.page), before, 'no element, handler or javascript: link came from the input');
      assert.deepEqual(dialogs, [], 'no dialog opened');
      await assertStillUsable(a);
    });
  }

  test('HTML and javascript: URLs in annotations and urls are shown as text, not as markup or links', async () => {
    const input = corpus.inputs.find((i) => i.name === 'html-annotations.json');
    const a = app();
    await give(a, input, await bytesOf(input), 'file');
    const shown = await a.page.evaluate(() => ({
      annotations: [...document.querySelectorAll('dl.annotations dd')].map((e) => e.textContent),
      keys: [...document.querySelectorAll('dl.annotations dt')].map((e) => e.textContent),
      urls: [...document.querySelectorAll('.urls code')].map((e) => e.textContent.trim()),
      links: [...document.querySelectorAll('a[href]')].map((e) => e.getAttribute('href')),
    }));
    assert.ok(shown.annotations.includes(IMG), `the <img> annotation is shown as text: ${JSON.stringify(shown.annotations)}`);
    assert.ok(shown.annotations.includes('javascript:alert(1)'), 'the javascript: URL annotation is shown as text');
    assert.ok(shown.keys.includes('<script>alert(1)</script>'), 'a key holding a script tag is shown as text');
    assert.ok(shown.urls.includes('javascript:alert(2)'), `the javascript: layer URL is shown as text: ${JSON.stringify(shown.urls)}`);
    assert.ok(shown.links.every((href) => !/^\s*javascript:/i.test(href)), `no javascript: link: ${JSON.stringify(shown.links)}`);
    const visible = await a.page.locator('dl.annotations dd', { hasText: IMG }).first().isVisible();
    assert.ok(visible, 'the <img> text is visible');
  });
});
