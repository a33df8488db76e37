// Hand-written sample documents for the end-to-end tests and the benchmark. Their expected digests are
// never stored here: tests compute them with node's crypto over the exact bytes they give the page.
import { FOUR_MIB, sha256 } from './expected.mjs';

export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';

/** A typical two-layer OCI image manifest (about 1 KB), pretty-printed the way many tools write it. */
export const OCI_MANIFEST = JSON.stringify(
  {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: 'sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7',
      size: 581,
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: 'sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1',
        size: 32,
      },
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: 'sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4',
        size: 3408729,
      },
    ],
    annotations: {
      'org.opencontainers.image.created': '2024-05-01T12:00:00Z',
      'org.opencontainers.image.source': 'https://example.invalid/app',
      'org.opencontainers.image.revision': '3b1c2d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c',
    },
  },
  null,
  2,
);

/** The config and layer descriptor digests written in OCI_MANIFEST, in document order. */
export const OCI_MANIFEST_DESCRIPTORS = [
  { role: 'config', digest: 'sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7' },
  { role: 'layer', digest: 'sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1' },
  { role: 'layer', digest: 'sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4' },
];

/**
 * A valid JSON document of exactly `size` bytes (ASCII, so bytes = characters):
 * `{"padding":"xxxx…"}`. Used for the 4 MiB limit, which is about bytes, not about validity.
 */
export function jsonOfSize(size) {
  const frame = '{"padding":""}';
  if (size < frame.length) throw new Error(`a JSON document needs at least ${frame.length} bytes`);
  return `{"padding":"${'x'.repeat(size - frame.length)}"}`;
}

export const OVER_FOUR_MIB = FOUR_MIB + 1;

/**
 * A manifest of 11,000 layers, indented as `JSON.stringify(…, null, 2)` writes it: over 2 MB, so
 * checking an expected digest against it tries every re-serialization of a large document.
 */
export function largeIndentedManifest() {
  const layers = Array.from({ length: 11000 }, (_, i) => ({
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    digest: sha256(Buffer.from(`layer-${i}`)),
    size: 1000 + i,
  }));
  const value = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(Buffer.from('config')), size: 6 },
    layers,
  };
  return Buffer.from(JSON.stringify(value, null, 2));
}

/** A file for `chooseFiles` / `dropFiles`: its name, a JSON MIME type and its exact bytes. */
export const json = (name, buffer) => ({ name, mimeType: 'application/json', buffer });

/** Files whose bytes a text round trip would change: each must be hashed exactly as given. */
export const CRLF = json('crlf-manifest.json', Buffer.from(OCI_MANIFEST.replaceAll('\n', '\r\n') + '\r\n'));
export const BOM = json('bom-manifest.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(OCI_MANIFEST)]));
// 0xff never occurs in UTF-8, and 0xc3 0x28 is a lead byte followed by a non-continuation byte.
export const INVALID_UTF8 = json(
  'invalid-utf8.json',
  Buffer.concat([Buffer.from('{"note":"'), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from('"}')]),
);
