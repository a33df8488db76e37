// Attaches referrers to an image in a real registry with real clients, the three ways tools do it:
//
// - `@sigstore/oci` (npm; the client sigstore-js and npm use to attach attestations to container images)
//   pushes an artifact manifest with `artifactType`, the empty config descriptor and a `subject`, then, since
//   distribution 2.8.2 answers the push without an `OCI-Subject` header (it has no referrers API), writes the
//   referrers tag index `sha256-<hex>` itself: the distribution spec's procedure for such registries. Two
//   artifacts are attached this way (an SPDX SBOM, an in-toto attestation), so the second push updates the
//   index the first one wrote.
// - cosign's tag scheme, `sha256-<hex>.sig`: cosign itself is not installable here, so the signature manifest
//   is written in cosign's documented layout (SIGNATURE_SPEC.md: an image config whose diff_id is the
//   payload, one `application/vnd.dev.cosign.simplesigning.v1+json` layer holding the simple-signing payload,
//   the signature in the `dev.cosignproject.cosign/signature` annotation, here a real ECDSA P-256 signature
//   over the payload) as an OCI layout, and pushed by skopeo copy --preserve-digests.
//
// Every digest reported comes from the registry (Docker-Content-Digest, read with node's fetch), never from
// this project's code.
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MANIFEST_ACCEPT } from './registries.mjs';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const { attachArtifactToImage } = require('@sigstore/oci');

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** GET a manifest by tag or digest as a client with the full Accept list; returns bytes and headers. */
export async function getManifest(origin, repository, reference) {
  const res = await fetch(`${origin}/v2/${repository}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT } });
  if (!res.ok) throw new Error(`GET ${repository}/manifests/${reference}: ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    bytes,
    json: JSON.parse(bytes.toString('utf8')),
    digest: res.headers.get('docker-content-digest'),
    contentType: res.headers.get('content-type'),
  };
}

/** The SPDX SBOM and in-toto attestation attached by @sigstore/oci; `created` keeps the fixtures stable. */
const ARTIFACTS = [
  {
    mediaType: 'application/spdx+json',
    artifact: Buffer.from('{"spdxVersion":"SPDX-2.3","name":"digestlens demo image","packages":[]}\n'),
    annotations: { 'org.opencontainers.image.created': '2023-11-14T22:13:20Z', 'org.example.made-by': 'digestlens e2e' },
  },
  {
    mediaType: 'application/vnd.in-toto+json',
    artifact: Buffer.from('{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1"}\n'),
    annotations: { 'org.opencontainers.image.created': '2023-11-14T22:13:20Z', 'org.example.made-by': 'digestlens e2e' },
  },
];

/**
 * Attaches the two artifacts and a cosign-style signature to `repository@subject` on the registry at `host`
 * (127.0.0.1:port, plain HTTP). Returns what the registry then serves:
 * `{ subject, tagIndex: { tag, digest, bytes, json }, artifacts: [{ digest, bytes, json, artifactType }],
 *    signature: { tag, digest, bytes, json } }`.
 */
export async function attachReferrers({ host, repository, subject }) {
  const origin = `http://${host}`;
  for (const a of ARTIFACTS) {
    await attachArtifactToImage({ imageName: `${host}/${repository}`, imageDigest: subject, credentials: undefined, ...a });
  }
  const tag = subject.replace(':', '-');
  const index = await getManifest(origin, repository, tag);
  const artifacts = [];
  for (const entry of index.json.manifests) {
    const m = await getManifest(origin, repository, entry.digest);
    artifacts.push({ ...m, artifactType: entry.artifactType });
  }
  const signatureTag = `${tag}.sig`;
  await pushCosignSignature({ host, repository, subject, tag: signatureTag });
  const signature = await getManifest(origin, repository, signatureTag);
  return { subject, tagIndex: { tag, ...index }, artifacts, signature: { tag: signatureTag, ...signature } };
}

/** A cosign signature manifest in an OCI layout, copied to `repository:tag` by skopeo. */
async function pushCosignSignature({ host, repository, subject, tag }) {
  const dir = await mkdtemp(join(tmpdir(), 'digestlens-cosign-'));
  try {
    const layout = join(dir, 'layout');
    await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
    const blob = async (bytes) => {
      const digest = sha256(bytes);
      await writeFile(join(layout, 'blobs', 'sha256', digest.slice(7)), bytes);
      return { digest, size: bytes.length };
    };
    const payload = Buffer.from(
      JSON.stringify({
        critical: {
          identity: { 'docker-reference': `${host}/${repository}` },
          image: { 'docker-manifest-digest': subject },
          type: 'cosign container image signature',
        },
        optional: null,
      }),
    );
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signatureValue = sign('sha256', payload, privateKey).toString('base64');
    const payloadBlob = await blob(payload);
    const config = await blob(
      Buffer.from(
        JSON.stringify({
          architecture: '',
          created: '0001-01-01T00:00:00Z',
          history: [{ created: '0001-01-01T00:00:00Z' }],
          os: '',
          rootfs: { type: 'layers', diff_ids: [payloadBlob.digest] },
          config: {},
        }),
      ),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [
          {
            mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
            ...payloadBlob,
            annotations: { 'dev.cosignproject.cosign/signature': signatureValue },
          },
        ],
      }),
    );
    const manifestBlob = await blob(manifest);
    await writeFile(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            ...manifestBlob,
            annotations: { 'org.opencontainers.image.ref.name': 'sig' },
          },
        ],
      }),
    );
    const policy = join(dir, 'policy.json');
    await writeFile(policy, '{"default":[{"type":"insecureAcceptAnything"}]}');
    await run('skopeo', [
      '--policy', policy, 'copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false',
      `oci:${layout}:sig`, `docker://${host}/${repository}:${tag}`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
