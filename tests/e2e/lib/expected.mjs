// Expected values from outside the app: digests come from node's own crypto (OpenSSL, an implementation
// independent of the Rust sha2 crate the page uses) over the exact bytes, and registry fixtures carry
// the Docker-Content-Digest a real registry sent.
import { createHash } from 'node:crypto';

export const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
export const sha512 = (bytes) => `sha512:${createHash('sha512').update(bytes).digest('hex')}`;

/** The UTF-8 bytes of a string, which is what the page must hash for pasted text. */
export const utf8 = (text) => Buffer.from(text, 'utf8');

/** 4 MiB: the size the OCI distribution spec says registries should accept for a manifest. */
export const FOUR_MIB = 4 * 1024 * 1024;
