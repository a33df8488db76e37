// End-to-end: what is attached to an image. A real registry (Debian's docker-registry, distribution 2.8.2,
// on 127.0.0.1:5621) holds demo/oci:1 with referrers attached by real clients (lib/referrers.mjs:
// @sigstore/oci pushes an SPDX SBOM and an in-toto attestation with `subject` and writes the referrers tag
// index `sha256-<hex>`, as the distribution spec tells clients to on registries without the referrers API;
// skopeo pushes a signature in cosign's layout under `sha256-<hex>.sig`). Expected digests come from that
// registry (Docker-Content-Digest), never from the page.
//
// Distribution 2.8.2 predates the referrers API, and no registry that has it is installable here. So the
// API path is tested against a stand-in: a small node server (startReferrersApi below) that relays every
// request to the real registry and answers only `GET /v2/<name>/referrers/<digest>` itself, with the image
// index the distribution spec 1.1 prescribes ("Listing Referrers"): the descriptors the real client
// recorded, `OCI-Filters-Applied: artifactType` when it filtered, and a `Link` to a second page. It stands
// in for a 1.1 registry; everything else it serves comes from the real one.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seriousViolations } from './lib/axe.mjs';
import { useApp, REPO_ROOT } from './lib/harness.mjs';
import { startRegistry } from './lib/registries.mjs';
import { attachReferrers, getManifest } from './lib/referrers.mjs';

const PORT = Number(process.env.E2E_REFERRERS_PORT ?? 5621);
const REPOSITORY = 'demo/oci';
const INDEX = 'application/vnd.oci.image.index.v1+json';

let registry;
let attached;
let unavailable;
try {
  registry = await startRegistry({ port: PORT, mode: 'cors' });
  attached = await attachReferrers({ host: registry.host, repository: REPOSITORY, subject: registry.images['demo/oci:1'].digest });
} catch (err) {
  unavailable = err.message;
}
const api = registry && (await startReferrersApi(registry.origin));

after(async () => {
  await api?.close();
  await registry?.stop();
});

/**
 * The stand-in for a registry with the referrers API (see the top of this file). `asked` records the
 * referrers requests it answered: `{ digest, artifactType, last }`.
 */
async function startReferrersApi(upstream) {
  const asked = [];
  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
    'Access-Control-Allow-Headers': 'Accept, Authorization',
    'Access-Control-Expose-Headers': 'Docker-Content-Digest, WWW-Authenticate, Link, OCI-Filters-Applied',
  };
  const server = createServer(async (req, res) => {
    if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
    const url = new URL(req.url, 'http://stand-in');
    const referrers = /^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    try {
      if (referrers) {
        const [, name, digest] = referrers;
        const artifactType = url.searchParams.get('artifactType');
        const last = url.searchParams.get('last');
        asked.push({ digest, artifactType, last });
        // What a 1.1 registry lists: every manifest whose subject is `digest`. The real client recorded
        // exactly those descriptors in the referrers tag index, so they are read from the real registry.
        const tag = await fetch(`${upstream}/v2/${name}/manifests/${digest.replace(':', '-')}`, { headers: { accept: INDEX } });
        let manifests = tag.ok ? (await tag.json()).manifests : [];
        const headers = { ...cors, 'Content-Type': INDEX };
        if (artifactType) {
          manifests = manifests.filter((m) => m.artifactType === artifactType);
          headers['OCI-Filters-Applied'] = 'artifactType';
        } else if (manifests.length > 1) {
          // One entry per page, to make the client follow `Link` (distribution spec: "Pagination").
          const start = last === null ? 0 : manifests.findIndex((m) => m.digest === last) + 1;
          if (start + 1 < manifests.length) {
            headers.Link = `</v2/${name}/referrers/${digest}?last=${manifests[start].digest}>; rel="next"`;
          }
          manifests = manifests.slice(start, start + 1);
        }
        const body = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests });
        return res.writeHead(200, headers).end(body);
      }
      const headers = {};
      for (const name of ['accept', 'authorization']) if (req.headers[name]) headers[name] = req.headers[name];
      const answer = await fetch(`${upstream}${req.url}`, { headers, method: req.method });
      const body = Buffer.from(await answer.arrayBuffer());
      const out = { ...cors, 'Content-Length': body.length };
      for (const name of ['content-type', 'docker-content-digest', 'www-authenticate']) {
        const value = answer.headers.get(name);
        if (value !== null) out[name] = value;
      }
      res.writeHead(answer.status, out).end(body);
    } catch (err) {
      res.writeHead(502, cors).end(`${err}\n`);
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    asked,
    close: () => new Promise((ok) => { server.close(() => ok()); server.closeAllConnections?.(); }),
  };
}

describe('referrers of a fetched manifest', { skip: unavailable }, () => {
  const app = useApp({ allowedOrigins: [registry?.origin, api?.origin].filter(Boolean), realPreflights: true });

  /** Types `reference`, presses Enter, waits until the fetch (walk and referrers) has settled. */
  async function fetchReference(reference) {
    const page = app().page;
    await page.fill('[data-testid="reference"]', reference);
    await page.press('[data-testid="reference"]', 'Enter');
    await settled();
  }

  async function settled() {
    await app().until(
      () => app().page.locator('[data-testid="progress"]:not([data-state="running"])').waitFor(),
      'the fetch to settle',
    );
  }

  /** The referrers section of the card whose digest is `digest`. */
  async function referrersOf(digest) {
    return app().page.evaluate((digest) => {
      const card = [...document.querySelectorAll('[data-testid="document"]')].find(
        (d) => d.querySelector('[data-testid="digest"]')?.textContent.trim() === digest,
      );
      const section = card?.querySelector('[data-testid="referrers"]');
      if (!section) return null;
      const text = (root, id) => root.querySelector(`[data-testid="${id}"]`)?.textContent.trim() ?? null;
      return {
        state: section.dataset.state,
        source: text(section, 'referrers-source'),
        filtered: text(section, 'referrers-filtered'),
        filters: [...section.querySelectorAll('[data-testid="referrers-filter"]')].map((b) => ({
          type: b.dataset.artifactType,
          pressed: b.getAttribute('aria-pressed'),
        })),
        rows: [...section.querySelectorAll('[data-testid="referrer"]')].map((row) => ({
          foundBy: row.dataset.foundBy,
          artifactType: row.dataset.artifactType,
          kind: text(row, 'referrer-kind'),
          digest: text(row, 'referrer-digest'),
          bytes: Number(row.querySelector('[data-testid="referrer-size"]')?.dataset.bytes),
          annotations: text(row, 'referrer-annotations'),
          opened: row.querySelector('[data-testid="referrer-opened"]') !== null,
        })),
      };
    }, digest);
  }

  async function waitForReferrers(digest, accept = (r) => r && r.state !== 'not-looked') {
    const deadline = Date.now() + 15000;
    for (;;) {
      const shown = await referrersOf(digest);
      if (accept(shown)) return shown;
      if (Date.now() > deadline) throw new Error(`referrers of ${digest} not shown; saw ${JSON.stringify(shown)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const subject = () => attached.subject;
  const [spdx, inToto] = [0, 1].map((i) => () => attached.artifacts[i]);

  test('on distribution 2.8.2 (no referrers API) the referrers tag and the cosign tag are read', async () => {
    const requested = [];
    app().page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await fetchReference(`${registry.host}/${REPOSITORY}:1`);
    const [top] = await app().documents();
    assert.equal(top.digest, subject(), 'the card is the manifest the registry serves as demo/oci:1');
    const shown = await waitForReferrers(subject());
    assert.equal(shown.state, 'listed');
    assert.deepEqual(
      shown.rows.map((r) => [r.foundBy, r.digest, r.artifactType]),
      [
        ['tag-schema', spdx().digest, 'application/spdx+json'],
        ['tag-schema', inToto().digest, 'application/vnd.in-toto+json'],
        ['cosign-sig', attached.signature.digest, 'application/vnd.oci.image.config.v1+json'],
      ],
    );
    assert.deepEqual(shown.rows.map((r) => r.kind), ['SPDX SBOM', 'in-toto attestation', 'cosign signature']);
    assert.deepEqual(shown.rows.map((r) => r.bytes), [spdx().bytes.length, inToto().bytes.length, attached.signature.bytes.length]);
    assert.match(shown.rows[0].annotations, /org\.example\.made-by\s*digestlens e2e/);
    // The API was asked first; its 404 has no CORS headers on 2.8.2, so the page read the tag instead.
    assert.ok(requested.includes(`/v2/${REPOSITORY}/referrers/${subject()}`), requested.join('\n'));
    assert.ok(requested.includes(`/v2/${REPOSITORY}/manifests/${attached.tagIndex.tag}`));
    assert.match(shown.source, /lacks CORS headers\), so the referrers tag sha256-[0-9a-f]{64} was read instead/);
    assert.ok(shown.source.includes(attached.signature.tag), shown.source);
    // The walk itself is unchanged: manifest and config.
    assert.equal((await app().documents()).length, 2);
    // The new section adds no serious or critical accessibility violation.
    assert.deepEqual(await seriousViolations(app().page), []);
  });

  test('opening a referrer fetches it by digest and shows it as an artifact that refers to the image', async () => {
    await fetchReference(`${registry.host}/${REPOSITORY}:1`);
    await waitForReferrers(subject());
    const page = app().page;
    await app().until(
      () => page.locator(`[data-testid="referrer"][data-artifact-type="application/spdx+json"] [data-testid="open-referrer"]`).click(),
      'a click on Open',
    );
    await settled();
    const docs = await app().waitForDocuments((d) => d.some((x) => x.digest === spdx().digest), 'the opened SBOM');
    const sbom = docs.find((d) => d.digest === spdx().digest);
    assert.equal(sbom.kind, 'oci-manifest');
    assert.equal(sbom.bytes, spdx().bytes.length);
    assert.deepEqual(sbom.descriptors.map((d) => [d.role, d.digest]), [
      ['config', 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'],
      ['layer', spdx().json.layers[0].digest],
      ['subject', subject()],
    ]);
    assert.ok(sbom.findingsText.includes('This is an artifact, not a container image: its type is application/spdx+json'), sbom.findingsText);
    assert.ok(sbom.findingsText.includes('The config is the OCI empty descriptor'), sbom.findingsText);
    assert.ok(sbom.findingsText.includes(`This document refers to ${subject()} (its subject)`), sbom.findingsText);
    assert.equal(await page.inputValue('[data-testid="reference"]'), `${registry.host}/${REPOSITORY}@${spdx().digest}`);
    const verification = await page.evaluate((digest) => {
      const card = [...document.querySelectorAll('[data-testid="document"]')].find(
        (d) => d.querySelector('[data-testid="digest"]')?.textContent.trim() === digest,
      );
      return card?.querySelector('[data-testid="verification"]')?.dataset.state;
    }, spdx().digest);
    assert.equal(verification, 'verified');
    // The empty config is not fetched: `{}` is known by definition.
    assert.ok(!docs.some((d) => d.digest === 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'));
    const shown = await waitForReferrers(subject(), (r) => r?.rows.some((row) => row.opened));
    assert.deepEqual(shown.rows.map((r) => r.opened), [true, false, false]);
    // The SBOM's own card looked for its referrers too: none.
    const own = await waitForReferrers(spdx().digest);
    assert.equal(own.state, 'none');
  });

  test('filtering by artifactType on the tag fallback is done by the page', async () => {
    await fetchReference(`${registry.host}/${REPOSITORY}:1`);
    await waitForReferrers(subject());
    const page = app().page;
    await app().until(
      () => page.locator('[data-testid="referrers-filter"][data-artifact-type="application/vnd.in-toto+json"]').click(),
      'a click on the in-toto filter',
    );
    await settled();
    const shown = await waitForReferrers(subject(), (r) => r?.filtered);
    assert.deepEqual(shown.rows.map((r) => r.digest), [inToto().digest]);
    assert.match(shown.filtered, /Only referrers of artifactType application\/vnd\.in-toto\+json are shown/);
    assert.deepEqual(shown.filters.find((f) => f.pressed === 'true')?.type, 'application/vnd.in-toto+json');
    assert.match(await page.locator('[data-testid="progress"]').textContent(), /Looked for referrers in \d+ ms/);
    await app().until(() => page.locator('[data-testid="referrers-filter"][data-artifact-type=""]').click(), 'a click on all');
    await settled();
    const all = await waitForReferrers(subject(), (r) => r && !r.filtered);
    assert.equal(all.rows.length, 3);
  });

  test('the referrers API (stand-in for a 1.1 registry): every page is read and the tag is not', async () => {
    const requested = [];
    app().page.on('request', (r) => new URL(r.url()).origin === api.origin && requested.push(new URL(r.url()).pathname));
    api.asked.length = 0;
    await fetchReference(`${api.host}/${REPOSITORY}:1`);
    const shown = await waitForReferrers(subject());
    assert.deepEqual(
      shown.rows.map((r) => [r.foundBy, r.digest]),
      [
        ['api', spdx().digest],
        ['api', inToto().digest],
        ['cosign-sig', attached.signature.digest],
      ],
    );
    assert.deepEqual(api.asked, [
      { digest: subject(), artifactType: null, last: null },
      { digest: subject(), artifactType: null, last: spdx().digest },
    ]);
    assert.match(shown.source, /The registry's referrers API answered \(2 page\(s\)\)\./);
    assert.ok(!requested.includes(`/v2/${REPOSITORY}/manifests/${attached.tagIndex.tag}`), 'no fallback when the API answers');

    const page = app().page;
    await app().until(
      () => page.locator('[data-testid="referrers-filter"][data-artifact-type="application/spdx+json"]').click(),
      'a click on the SPDX filter',
    );
    await settled();
    const filtered = await waitForReferrers(subject(), (r) => r?.filtered);
    assert.deepEqual(filtered.rows.map((r) => r.digest), [spdx().digest]);
    assert.deepEqual(api.asked.at(-1), { digest: subject(), artifactType: 'application/spdx+json', last: null });
  });

  test('a platform manifest card can look for its own referrers; none is a clear answer', async () => {
    await fetchReference(`${registry.host}/demo/multi:1`);
    const index = registry.images['demo/multi:1'].digest;
    const none = await waitForReferrers(index);
    assert.equal(none.state, 'none');
    assert.match(none.source, /No tag sha256-[0-9a-f]{64} exists/);
    const amd64 = (await getManifest(registry.origin, 'demo/multi', index)).json.manifests[0].digest;
    assert.equal((await referrersOf(amd64)).state, 'not-looked');
    const page = app().page;
    const card = page.locator('[data-testid="document"]', { has: page.locator(`[data-testid="digest"]:text-is("${amd64}")`) });
    // Cards are one line until opened (issue 17).
    await app().until(() => card.locator('[data-testid="card-toggle"]').click(), 'a click on the card line');
    await app().until(() => card.locator('[data-testid="find-referrers"]').click(), 'a click on Look for referrers');
    await settled();
    const own = await waitForReferrers(amd64);
    assert.equal(own.state, 'none');
  });

  test('a pasted artifact and a buildx index are explained', async () => {
    await app().paste(spdx().bytes.toString('utf8'));
    const [doc] = await app().waitForDigests(1);
    assert.equal(doc.digest, spdx().digest, 'the pasted bytes hash to what the registry serves them by');
    assert.ok(doc.findingsText.includes('application/vnd.oci.empty.v1+json, the 2 bytes {} with digest sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'));
    assert.equal(await app().page.locator('[data-testid="referrers"]').count(), 0, 'no registry to ask for a pasted document');

    const buildx = await readFile(join(REPO_ROOT, 'tests/fixtures/go-json/oci-index.in.json'), 'utf8');
    await app().paste(buildx);
    const [index] = await app().waitForDocuments((d) => d.length === 1 && d[0].kind === 'oci-index', 'the pasted index');
    assert.ok(index.findingsText.includes('manifests[2] is a buildx attestation manifest'), index.findingsText);
    const labels = await app().page.locator('[data-testid="descriptor"][data-role="manifest"] strong').allTextContents();
    assert.ok(labels.includes('Manifest 2: attestation (buildx), not a platform'), labels.join(' | '));
  });
});
