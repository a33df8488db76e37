// Reads the registry fixtures (tests/fixtures/registry/fixtures.json: documents as a real registry served
// them, with the Docker-Content-Digest it sent) when they exist. Their recorded digest is the expected
// value, so the page is checked against a registry rather than against our own code.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT } from './harness.mjs';

export const REGISTRY_FIXTURES = join(REPO_ROOT, 'tests/fixtures/registry/fixtures.json');

const FILE_KEYS = ['file', 'path', 'body_file', 'bodyFile', 'body'];
const DIGEST_KEYS = ['docker_content_digest', 'dockerContentDigest', 'Docker-Content-Digest', 'digest'];
const MEDIA_TYPE_KEYS = ['content_type', 'contentType', 'Content-Type', 'media_type', 'mediaType'];

/**
 * Returns `{ fixtures, reason }`: the fixtures as `{ name, bytes, registryDigest, mediaType }`, or an
 * empty list and why (absent, or a shape this reader does not know) so a test can skip with that reason.
 */
export async function loadRegistryFixtures() {
  if (!existsSync(REGISTRY_FIXTURES)) return { fixtures: [], reason: `${REGISTRY_FIXTURES} is absent` };
  const index = JSON.parse(await readFile(REGISTRY_FIXTURES, 'utf8'));
  const entries = Array.isArray(index) ? index : (index.fixtures ?? index.documents ?? index.entries ?? []);
  const fixtures = [];
  for (const entry of entries) {
    const file = pick(entry, FILE_KEYS);
    const registryDigest = pick(entry, DIGEST_KEYS) ?? pick(entry.headers ?? {}, DIGEST_KEYS);
    if (typeof file !== 'string' || typeof registryDigest !== 'string') continue;
    const path = resolve(dirname(REGISTRY_FIXTURES), file);
    if (!existsSync(path)) continue;
    fixtures.push({
      name: entry.name ?? entry.id ?? file,
      bytes: await readFile(path),
      registryDigest,
      mediaType: pick(entry, MEDIA_TYPE_KEYS) ?? pick(entry.headers ?? {}, MEDIA_TYPE_KEYS) ?? null,
    });
  }
  if (fixtures.length === 0) {
    return { fixtures, reason: `no entry of ${REGISTRY_FIXTURES} names an existing file and a registry digest` };
  }
  return { fixtures, reason: null };
}

function pick(object, keys) {
  for (const key of keys) if (object?.[key] !== undefined) return object[key];
  return undefined;
}
