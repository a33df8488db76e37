//! Content digests as the OCI image spec defines them (`descriptor.md#digests`):
//!
//! ```text
//! digest                ::= algorithm ":" encoded
//! algorithm             ::= algorithm-component (algorithm-separator algorithm-component)*
//! algorithm-component   ::= [a-z0-9]+
//! algorithm-separator   ::= [+._-]
//! encoded               ::= [a-zA-Z0-9=_-]+
//! ```
//!
//! Registered algorithms narrow `encoded`: sha256 is 64 and sha512 is 128 lowercase hex
//! characters. Unregistered algorithms are allowed by the grammar; they parse, and
//! [`Digest::is_registered`] lets callers flag them instead of rejecting them.
//!
//! Hashing always runs over the exact bytes given, fed in chunks: one huge `update` call
//! stays in V8's baseline tier and runs about 6x slower in the browser.

use sha2::{Digest as _, Sha256, Sha512};
use std::fmt;
use std::str::FromStr;

/// Bytes fed to the hasher per `update` call (see the module docs for why this matters).
const CHUNK: usize = 64 * 1024;

/// A hash algorithm named by a digest string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Sha256,
    Sha512,
    /// Valid by the grammar but not registered by the OCI spec (e.g. `blake3`).
    Other(String),
}

impl Algorithm {
    pub fn as_str(&self) -> &str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
            Algorithm::Other(name) => name,
        }
    }

    /// Length of the hex encoding for registered algorithms.
    fn hex_len(&self) -> Option<usize> {
        match self {
            Algorithm::Sha256 => Some(64),
            Algorithm::Sha512 => Some(128),
            Algorithm::Other(_) => None,
        }
    }
}

/// A validated `algorithm:encoded` digest. `Display` round-trips to the parsed string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: Algorithm,
    encoded: String,
}

/// Why a string is not a digest. Messages are written for the person who pasted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestError {
    Empty,
    MissingColon,
    BadAlgorithm(String),
    EmptyEncoded,
    BadEncodedChar {
        found: char,
    },
    WrongLength {
        algorithm: &'static str,
        expected: usize,
        actual: usize,
    },
    NotLowercaseHex {
        algorithm: &'static str,
    },
}

impl fmt::Display for DigestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigestError::Empty => write!(f, "the digest is empty"),
            DigestError::MissingColon => write!(
                f,
                "a digest is written algorithm:hex, e.g. sha256:… — there is no ':'"
            ),
            DigestError::BadAlgorithm(a) => write!(
                f,
                "\"{a}\" is not a valid algorithm name (lowercase letters and digits, joined by + . _ -)"
            ),
            DigestError::EmptyEncoded => write!(f, "nothing follows the ':'"),
            DigestError::BadEncodedChar { found } => {
                write!(
                    f,
                    "the encoded part holds {found:?}, which a digest never contains"
                )
            }
            DigestError::WrongLength {
                algorithm,
                expected,
                actual,
            } => write!(
                f,
                "a {algorithm} digest has {expected} hex characters; this one has {actual}"
            ),
            DigestError::NotLowercaseHex { algorithm } => {
                write!(f, "a {algorithm} digest is lowercase hex (0-9, a-f)")
            }
        }
    }
}

impl std::error::Error for DigestError {}

fn is_algorithm(s: &str) -> bool {
    let is_sep = |c: char| matches!(c, '+' | '.' | '_' | '-');
    !s.is_empty()
        && s.split(is_sep).all(|component| {
            !component.is_empty()
                && component
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(DigestError::Empty);
        }
        let (algorithm, encoded) = s.split_once(':').ok_or(DigestError::MissingColon)?;
        if !is_algorithm(algorithm) {
            return Err(DigestError::BadAlgorithm(algorithm.to_owned()));
        }
        if encoded.is_empty() {
            return Err(DigestError::EmptyEncoded);
        }
        if let Some(found) = encoded
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '=' | '_' | '-')))
        {
            return Err(DigestError::BadEncodedChar { found });
        }
        let algorithm = match algorithm {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            other => Algorithm::Other(other.to_owned()),
        };
        if let Some(expected) = algorithm.hex_len() {
            let name = if algorithm == Algorithm::Sha256 {
                "sha256"
            } else {
                "sha512"
            };
            if encoded.len() != expected {
                return Err(DigestError::WrongLength {
                    algorithm: name,
                    expected,
                    actual: encoded.len(),
                });
            }
            if !encoded
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(DigestError::NotLowercaseHex { algorithm: name });
            }
        }
        Ok(Digest {
            algorithm,
            encoded: encoded.to_owned(),
        })
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.as_str(), self.encoded)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Read back from its text form, through the same grammar as [`FromStr`].
impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Digest {
    pub fn algorithm(&self) -> &Algorithm {
        &self.algorithm
    }

    /// The part after the colon (hex for the registered algorithms).
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// True for sha256 and sha512, the algorithms the OCI spec registers.
    pub fn is_registered(&self) -> bool {
        self.algorithm.hex_len().is_some()
    }

    /// The first 12 characters of the encoded part: the form `docker images` prints as IMAGE ID.
    pub fn short(&self) -> &str {
        let end = self
            .encoded
            .char_indices()
            .nth(12)
            .map_or(self.encoded.len(), |(i, _)| i);
        &self.encoded[..end]
    }

    /// sha256 of `bytes`, fed to the hasher in chunks.
    pub fn sha256(bytes: &[u8]) -> Digest {
        let mut hasher = Hasher::sha256();
        hasher.update(bytes);
        hasher.finalize()
    }

    /// sha512 of `bytes`, fed to the hasher in chunks.
    pub fn sha512(bytes: &[u8]) -> Digest {
        let mut hasher = Hasher::Sha512(Sha512::new());
        hasher.update(bytes);
        hasher.finalize()
    }

    /// Hash `bytes` with this digest's algorithm, if this page can compute it.
    pub fn recompute(&self, bytes: &[u8]) -> Option<Digest> {
        match self.algorithm {
            Algorithm::Sha256 => Some(Digest::sha256(bytes)),
            Algorithm::Sha512 => Some(Digest::sha512(bytes)),
            Algorithm::Other(_) => None,
        }
    }
}

/// An incremental hasher for data that arrives in pieces (a streamed layer blob): feed it with
/// [`Hasher::update`] and take the digest with [`Hasher::finalize`]. Pieces are passed on to sha2
/// in [`CHUNK`]-sized slices whatever size they arrive in (see the module docs for why).
#[derive(Debug, Clone)]
pub enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    /// A hasher for `algorithm`, or `None` for one this page cannot compute.
    pub fn new(algorithm: &Algorithm) -> Option<Hasher> {
        match algorithm {
            Algorithm::Sha256 => Some(Hasher::Sha256(Sha256::new())),
            Algorithm::Sha512 => Some(Hasher::Sha512(Sha512::new())),
            Algorithm::Other(_) => None,
        }
    }

    pub fn sha256() -> Hasher {
        Hasher::Sha256(Sha256::new())
    }

    pub fn algorithm(&self) -> Algorithm {
        match self {
            Hasher::Sha256(_) => Algorithm::Sha256,
            Hasher::Sha512(_) => Algorithm::Sha512,
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(CHUNK) {
            match self {
                Hasher::Sha256(h) => h.update(chunk),
                Hasher::Sha512(h) => h.update(chunk),
            }
        }
    }

    pub fn finalize(self) -> Digest {
        match self {
            Hasher::Sha256(h) => Digest {
                algorithm: Algorithm::Sha256,
                encoded: hex(&h.finalize()),
            },
            Hasher::Sha512(h) => Digest {
                algorithm: Algorithm::Sha512,
                encoded: hex(&h.finalize()),
            },
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0xf)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known-answer vectors from FIPS 180-2 appendix B ("abc") and the empty string, as printed
    // by coreutils `sha256sum` / `sha512sum`.
    #[test]
    fn sha256_matches_fips_vector() {
        assert_eq!(
            Digest::sha256(b"abc").to_string(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            Digest::sha256(b"").to_string(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn sha512_matches_fips_vector() {
        assert_eq!(
            Digest::sha512(b"abc").to_string(),
            "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
    }

    #[test]
    fn chunked_hash_equals_hash_across_chunk_boundaries() {
        // 1,000,000 x 'a' is the FIPS 180-2 long-message vector.
        let million_a = vec![b'a'; 1_000_000];
        assert_eq!(
            Digest::sha256(&million_a).to_string(),
            "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn parses_and_displays_registered_digests() {
        let s = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
        let d: Digest = s.parse().unwrap();
        assert_eq!(d.to_string(), s);
        assert_eq!(d.short(), "44136fa355b3");
        assert!(d.is_registered());
    }

    #[test]
    fn unknown_algorithm_parses_but_is_not_registered() {
        let d: Digest = "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"
            .parse()
            .unwrap();
        assert!(!d.is_registered());
        assert_eq!(d.algorithm(), &Algorithm::Other("multihash+base58".into()));
    }

    #[test]
    fn rejects_malformed_digests_with_a_reason() {
        let cases: &[(&str, DigestError)] = &[
            ("", DigestError::Empty),
            ("44136fa355b3678a", DigestError::MissingColon),
            ("SHA256:abc", DigestError::BadAlgorithm("SHA256".into())),
            ("sha256:", DigestError::EmptyEncoded),
            (
                "sha256:../../etc/passwd",
                DigestError::BadEncodedChar { found: '.' },
            ),
            (
                "sha256:abc",
                DigestError::WrongLength {
                    algorithm: "sha256",
                    expected: 64,
                    actual: 3,
                },
            ),
            (
                "sha256:44136FA355B3678A1146AD16F7E8649E94FB4FC21FE77E8310C060F61CAAFF8A",
                DigestError::NotLowercaseHex { algorithm: "sha256" },
            ),
            ("sha+:abc", DigestError::BadAlgorithm("sha+".into())),
        ];
        for (input, expected) in cases {
            assert_eq!(input.parse::<Digest>().as_ref(), Err(expected), "input {input:?}");
        }
    }
}
