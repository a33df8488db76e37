// End-to-end: a link carries the view as well as the documents (issue 5): the box selected on the
// relationship map and both sides of "Why do these digests differ?". Whoever opens the link in another
// browser sees the same selection and the same comparison. Expected digests are the registry's
// Docker-Content-Digest and the diff_ids recorded in tests/fixtures/registry/fixtures.json, or node's
// crypto over the exact bytes; links crafted here are built with node's zlib from the format description
// in src/core/permalink.rs, not with the page's encoder.
import assert from 'node:assert/strict';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { AppPage, launchBrowser, useApp, WAIT_MS } from './lib/harness.mjs';
import { loadRegistryFixtures } from './lib/fixtures.mjs';
import { sha256, utf8 } from './lib/expected.mjs';
import { CRLF, INVALID_UTF8 } from './lib/samples.mjs';

const registry = await loadRegistryFixtures();
const fixture = (path) => registry.files.find((f) => f.path === path);
const asFile = (f) => ({ name: f.path, mimeType: 'application/json', buffer: f.bytes });
const skip = registry.files.length === 0 && registry.reason;

/** The link the page offers once the address bar carries it too and `accept(link)` holds. */
async function settledLink(app, accept = () => true, what = 'a link') {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    app.throwIfProblems();
    const link = await app.page.locator('[data-testid="permalink"]').evaluateAll((els) => els[0]?.value ?? els[0]?.href ?? '');
    if (link && link === app.page.url() && accept(link)) return link;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the page offers ${link.slice(0, 120)}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** Opens `link` in a browser of its own (no shared state with the page that made it) and runs `check`. */
async function inFreshBrowser(origin, link, check, options = {}) {
  const fresh = await launchBrowser();
  try {
    const url = new URL(link);
    const opened = await AppPage.open(fresh.context, origin, { path: url.pathname + url.hash, ...options });
    try {
      await check(opened);
      await opened.assertNoProblems();
    } finally {
      await opened.close();
    }
  } finally {
    await fresh.close();
  }
}

/** Polls `read()` until `accept(value)` holds and returns the value; fails with the last value. */
async function until(app, read, accept, what) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    app.throwIfProblems();
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** What the page shows as selected on the map: the details' digest and kind, and the pressed boxes. */
const selection = (app) =>
  app.page.evaluate(() => {
    const details = document.querySelector('[data-testid="map-details"]');
    return {
      digest: details?.dataset.digest ?? null,
      kind: details?.dataset.kind ?? null,
      pressed: [...document.querySelectorAll('[data-testid="map-node"][aria-pressed="true"]')].map((n) => `${n.dataset.kind} ${n.dataset.digest}`),
    };
  });

/** Both compare sides as shown: title, digest, the picked option and the side's own paste box. */
const sides = (app) =>
  app.page.evaluate(() =>
    Object.fromEntries(
      ['a', 'b'].map((s) => {
        const pick = document.querySelector(`[data-testid="pick-${s}"]`);
        return [
          s,
          {
            title: document.querySelector(`[data-testid="title-${s}"]`)?.textContent ?? null,
            digest: document.querySelector(`[data-testid="digest-${s}"]`)?.textContent?.trim() ?? null,
            picked: pick?.selectedOptions[0]?.textContent ?? null,
            pasted: document.querySelector(`[data-testid="paste-${s}"]`)?.value ?? null,
          },
        ];
      }),
    ),
  );

/** Whether the element with this data-testid has its top inside the viewport. */
const inView = (app, testid) =>
  app.page.evaluate((id) => {
    const box = document.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect();
    // scrollIntoView leaves the top a fraction of a pixel off zero.
    return Boolean(box) && box.top > -1 && box.top < window.innerHeight;
  }, testid);

const verdictOf = (app) =>
  app.page.evaluate(() => document.querySelector('[data-testid="comparison"] [data-testid="verdict"]')?.dataset.verdict ?? null);

describe('the view travels in the link', { skip }, () => {
  const app = useApp();

  test('the box selected on the map is selected again, with its details, in a fresh browser', async () => {
    const index = fixture('demo-multi/index.json');
    const manifest = fixture('demo-multi/linux-arm64/manifest.json');
    const config = fixture('demo-multi/linux-arm64/config.json');
    const layer = registry.files.find((f) => f.dir === 'demo-multi/linux-arm64' && f.role === 'layer' && f.layerIndex === 0);
    await app().chooseFiles([index, manifest, config].map(asFile));
    await app().waitForDigests(3);
    const before = await settledLink(app());
    const entries = await app().page.evaluate(() => history.length);

    await app().page.locator(`[data-testid="map-node"][data-kind="config"][data-digest="${config.registryDigest}"]`).click();
    const configLink = await settledLink(app(), (l) => l !== before, 'the link with the config selected');
    // A diff_id is a value computed from the config, not a document: its box is named by its place.
    await app().page.locator(`[data-testid="map-node"][data-kind="diff-id"][data-digest="${layer.diffId}"]`).click();
    const link = await settledLink(app(), (l) => l !== configLink, 'the link with the diff_id selected');
    assert.equal(await app().page.evaluate(() => history.length), entries, 'selecting adds no history entry');

    await inFreshBrowser(app().origin, link, async (opened) => {
      const shown = await until(opened, () => selection(opened), (s) => s.digest !== null, 'the selected box');
      assert.deepEqual(shown, { digest: layer.diffId, kind: 'diff-id', pressed: [`diff-id ${layer.diffId}`] });
      await until(opened, () => inView(opened, 'map-details'), Boolean, 'the details of the selected box in view');
      assert.equal(await opened.page.locator('[data-testid="pair-diff-id"]').textContent(), layer.diffId);
    });
    await inFreshBrowser(app().origin, configLink, async (opened) => {
      const shown = await until(opened, () => selection(opened), (s) => s.digest !== null, 'the selected box');
      assert.deepEqual(shown, { digest: config.registryDigest, kind: 'config', pressed: [`config ${config.registryDigest}`] });
    });

    // A new analysis is a new history entry; Back returns to this one with its selection.
    await app().click('clear');
    await app().chooseFiles([asFile(fixture('demo-oci/manifest.json'))]);
    await settledLink(app(), (l) => l !== link, 'the link of the new analysis');
    await app().page.goBack();
    const back = await until(app(), () => selection(app()), (s) => s.digest === layer.diffId, 'the selection after Back');
    assert.deepEqual(back.pressed, [`diff-id ${layer.diffId}`]);
    assert.equal(app().page.url(), link);
  });

  test('a box selected inside a folded group is drawn again: the link opens its group', async () => {
    // An index of 20 platforms: the map folds those past the twelfth.
    const manifests = Array.from({ length: 20 }, (_, i) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256(Buffer.from(`platform ${i}`)),
      size: 500,
      platform: { os: 'linux', architecture: `arch${i}` },
    }));
    const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
    const last = manifests[19].digest;
    await app().paste(index);
    await app().waitForDigests(1);
    const more = app().page.locator('[data-testid="map-more"]');
    assert.equal(await more.getAttribute('aria-expanded'), 'false');
    assert.equal(await app().page.locator(`[data-testid="map-node"][data-digest="${last}"]`).count(), 0, 'folded at first');
    const before = await settledLink(app());
    await more.click();
    await app().page.locator(`[data-testid="map-node"][data-digest="${last}"]`).click();
    const link = await settledLink(app(), (l) => l !== before, 'the link with the folded box selected');

    await inFreshBrowser(app().origin, link, async (opened) => {
      const shown = await until(opened, () => selection(opened), (s) => s.pressed.length === 1, 'the selected box drawn');
      assert.deepEqual(shown, { digest: last, kind: 'manifest', pressed: [`manifest ${last}`] });
      assert.equal(await opened.page.locator('[data-testid="map-more"]').getAttribute('aria-expanded'), 'true');
    });
  });

  test('a comparison of a loaded document with a side\'s own pasted text opens with the same sides and verdict', async () => {
    const manifest = fixture('demo-oci/manifest.json');
    // The same manifest re-indented by node's JSON encoder: the same content in other bytes.
    const reindented = `${JSON.stringify(JSON.parse(manifest.bytes.toString('utf8')), null, 3)}\n`;
    await app().chooseFiles([asFile(manifest)]);
    await app().waitForDigests(1);
    const loaded = await settledLink(app());
    await app().pickOption('pick-a', manifest.path);
    const picked = await settledLink(app(), (l) => l !== loaded, 'the link with side A');
    await app().pasteInto('paste-b', reindented);
    const verdict = await until(app(), () => verdictOf(app()), (v) => v !== null, 'a verdict');
    const link = await settledLink(app(), (l) => l !== picked, 'the link with both sides');

    await inFreshBrowser(app().origin, link, async (opened) => {
      const shown = await until(opened, () => sides(opened), (s) => s.a.digest && s.b.digest, 'both sides');
      assert.equal(shown.a.digest, manifest.registryDigest);
      assert.equal(shown.a.title, manifest.path);
      assert.ok(shown.a.picked.startsWith(manifest.path), `side A is the loaded document: ${shown.a.picked}`);
      assert.equal(shown.b.digest, sha256(utf8(reindented)));
      assert.equal(shown.b.pasted, reindented, "side B's paste box holds the text, exactly");
      assert.equal(await until(opened, () => verdictOf(opened), (v) => v !== null, 'a verdict'), verdict);
      await until(opened, () => inView(opened, 'compare'), Boolean, 'the comparison in view');
      assert.deepEqual(await opened.documents().then((d) => d.map((x) => x.digest)), [manifest.registryDigest], 'side B did not join the documents');
    });
  });

  test("a side's own file travels as its exact bytes, and Swap travels too", async () => {
    const config = fixture('demo-oci/config.json');
    await app().chooseFilesIn('file-a', [CRLF]);
    await app().chooseFilesIn('file-b', [INVALID_UTF8]);
    await until(app(), () => sides(app()), (s) => s.a.digest && s.b.digest, 'both sides');
    await app().click('swap');
    await until(app(), () => sides(app()), (s) => s.a.title === INVALID_UTF8.name, 'the swapped sides');
    const swapped = await settledLink(app());
    await app().chooseFiles([asFile(config)]);
    await app().waitForDigests(1);
    const link = await settledLink(app(), (l) => l !== swapped, 'the link with the config too');

    await inFreshBrowser(app().origin, link, async (opened) => {
      const shown = await until(opened, () => sides(opened), (s) => s.a.digest && s.b.digest, 'both sides');
      assert.equal(shown.a.title, INVALID_UTF8.name);
      assert.equal(shown.a.digest, sha256(INVALID_UTF8.buffer));
      assert.equal(shown.b.title, CRLF.name);
      assert.equal(shown.b.digest, sha256(CRLF.buffer));
      assert.equal(shown.b.pasted, '', 'a file is not put in the paste box');
      assert.deepEqual(await opened.documents().then((d) => d.map((x) => x.digest)), [config.registryDigest]);
    });
  });

  test("the digest typed into a document's \"expected another digest?\" box travels, and gets the same answer", async () => {
    const manifest = fixture('demo-oci/manifest.json');
    // The manifest as node's JSON encoder indents it; the user expected the registry's digest.
    const reindented = Buffer.from(`${JSON.stringify(JSON.parse(manifest.bytes.toString('utf8')), null, 3)}\n`);
    await app().chooseFiles([{ name: 'reindented.json', mimeType: 'application/json', buffer: reindented }]);
    await app().waitForDigests(1);
    const before = await settledLink(app());
    const scope = '[data-testid="document"][aria-label="reindented.json"]';
    await app().fillIn('expected', manifest.registryDigest, scope);
    const answer = await app().waitForVerdict(`${scope} [data-testid="expected-answer"]`, () => true, 'the answer');
    assert.equal(answer.slug, 'reserialized', answer.text);
    const link = await settledLink(app(), (l) => l !== before, 'the link with the expected digest');

    await inFreshBrowser(app().origin, link, async (opened) => {
      const again = await opened.waitForVerdict(`${scope} [data-testid="expected-answer"]`, () => true, 'the answer');
      assert.deepEqual(again, answer);
      assert.equal(await opened.page.inputValue(`${scope} [data-testid="expected"]`), manifest.registryDigest);
    });
  });

  test('a link whose compare side names a document it does not carry says so and stays usable', async () => {
    const wanted = fixture('demo-docker/manifest.json');
    // Side A names a digest, nothing else: container = [10 len [2 1 "A"] [6 len digest]].
    const record = (tag, value) => Buffer.concat([Buffer.from([tag, value.length]), value]);
    const container = record(10, Buffer.concat([record(2, Buffer.from('A')), record(6, Buffer.from(wanted.registryDigest))]));
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32LE(crc32(container));
    const fragment = `v1.${Buffer.concat([deflateRawSync(container), trailer]).toString('base64url')}`;
    await app().page.goto(`${app().origin}/#${fragment}`);
    const notice = await until(
      app(),
      () => app().texts('wanted-a'),
      (t) => t.length === 1,
      'the notice for side A',
    );
    assert.ok(notice[0].includes(wanted.registryDigest), notice[0]);
    // Loading that document fills the side.
    await app().chooseFiles([asFile(wanted)]);
    const shown = await until(app(), () => sides(app()), (s) => s.a.digest, 'side A');
    assert.equal(shown.a.digest, wanted.registryDigest);
    assert.deepEqual(await app().texts('wanted-a'), []);
  });
});
