// Reads the registry fixtures when they exist: <repo>/tests/fixtures/registry/fixtures.json (or under env
// FIXTURES_DIR) lists documents and blobs exactly as a real registry (distribution 2.8.2) served them,
// with the Docker-Content-Digest it sent and, for layers, the diff_id recorded by the tool that built
// them. Those recorded values are the expected ones, so the page is checked against a registry and
// against umoci/skopeo rather than against our own code.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT } from './harness.mjs';

export const FIXTURES_DIR = resolve(process.env.FIXTURES_DIR ?? join(REPO_ROOT, 'tests/fixtures'));
export const REGISTRY_FIXTURES = join(FIXTURES_DIR, 'registry/fixtures.json');

/**
 * Returns `{ files, reason }`. `files` are the entries of fixtures.json `files` whose bytes exist, each
 * as `{ path, dir, role, bytes, registryDigest, contentType, mediaType, size, layerIndex, diffId }`
 * (`dir` is the image's directory, e.g. `demo-multi/linux-arm64`). When there are none, `reason` says
 * why, for a test to skip with.
 */
export async function loadRegistryFixtures() {
  if (!existsSync(REGISTRY_FIXTURES)) return { files: [], reason: `${REGISTRY_FIXTURES} is absent` };
  const index = JSON.parse(await readFile(REGISTRY_FIXTURES, 'utf8'));
  const files = [];
  for (const entry of index.files ?? []) {
    if (typeof entry.path !== 'string' || typeof entry.docker_content_digest !== 'string') continue;
    const path = resolve(dirname(REGISTRY_FIXTURES), entry.path);
    if (!existsSync(path)) continue;
    files.push({
      path: entry.path,
      dir: dirname(entry.path),
      role: entry.role,
      bytes: await readFile(path),
      registryDigest: entry.docker_content_digest,
      contentType: entry.content_type ?? null,
      mediaType: entry.media_type ?? entry.content_type ?? null,
      size: entry.size ?? null,
      layerIndex: entry.layer_index ?? null,
      diffId: entry.diff_id ?? null,
    });
  }
  const reason = files.length ? null : `${REGISTRY_FIXTURES} lists no file with a Docker-Content-Digest`;
  return { files, reason };
}

/** The page's data-kind for each media type a registry sends (or a descriptor gives) for a document. */
export const KIND_OF_MEDIA_TYPE = {
  'application/vnd.oci.image.manifest.v1+json': 'oci-manifest',
  'application/vnd.oci.image.index.v1+json': 'oci-index',
  'application/vnd.docker.distribution.manifest.v2+json': 'docker-manifest',
  'application/vnd.docker.distribution.manifest.list.v2+json': 'docker-manifest-list',
  'application/vnd.docker.distribution.manifest.v1+prettyjws': 'docker-schema1-signed',
  'application/vnd.docker.distribution.manifest.v1+json': 'docker-schema1',
};

/**
 * Config blobs carry no mediaType of their own, so from the bytes alone a page may name the OCI or
 * Docker flavour (from the descriptor that pointed at it) or just "image config".
 */
export const CONFIG_KINDS = ['oci-config', 'docker-config', 'image-config'];
