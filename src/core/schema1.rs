//! Docker image manifest v2 schema 1, signed (`application/vnd.docker.distribution.manifest.v1+prettyjws`).
//!
//! The digest of a signed schema 1 manifest is NOT the digest of its bytes. libtrust's "pretty
//! signature" rule: every entry of the top-level `signatures` array carries a base64url `protected`
//! header holding `formatLength` and `formatTail`; the signed payload is
//! `bytes[0..formatLength] ++ base64url_decode(formatTail)`, i.e. the document with the
//! `signatures` member cut out. Registries and docker name the manifest by sha256(payload), so a
//! registry can re-sign it on every GET (new bytes) while the digest stays the same.
//!
//! Signatures are not cryptographically verified here; a broken signature does not stop the digest.

use super::digest::Digest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;
use std::fmt;

/// The signed payload that names a signed schema 1 manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// sha256 of the payload: the manifest's digest as registries and docker report it.
    pub digest: Digest,
    pub format_length: usize,
    pub length: usize,
    pub signature_count: usize,
    /// Key IDs or algorithms named by each signature's header, for display.
    pub signers: Vec<String>,
}

/// Why the payload could not be reconstructed. The byte digest is still shown beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadError {
    NoSignatures,
    SignaturesNotAnArray,
    ProtectedMissing { index: usize },
    ProtectedNotBase64 { index: usize },
    ProtectedNotJson { index: usize },
    FormatLengthMissing { index: usize },
    FormatTailMissing { index: usize },
    FormatTailNotBase64 { index: usize },
    FormatLengthBeyondEnd { format_length: u64, size: usize },
    ConflictingSignatures,
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PayloadError::NoSignatures => write!(f, "the manifest has an empty \"signatures\" array"),
            PayloadError::SignaturesNotAnArray => write!(f, "\"signatures\" is not an array"),
            PayloadError::ProtectedMissing { index } => {
                write!(f, "signature {index} has no \"protected\" header")
            }
            PayloadError::ProtectedNotBase64 { index } => {
                write!(f, "signature {index}: the \"protected\" header is not base64url")
            }
            PayloadError::ProtectedNotJson { index } => {
                write!(
                    f,
                    "signature {index}: the decoded \"protected\" header is not a JSON object"
                )
            }
            PayloadError::FormatLengthMissing { index } => {
                write!(
                    f,
                    "signature {index}: the protected header has no valid \"formatLength\""
                )
            }
            PayloadError::FormatTailMissing { index } => {
                write!(f, "signature {index}: the protected header has no \"formatTail\"")
            }
            PayloadError::FormatTailNotBase64 { index } => {
                write!(f, "signature {index}: \"formatTail\" is not base64url")
            }
            PayloadError::FormatLengthBeyondEnd { format_length, size } => write!(
                f,
                "formatLength {format_length} points past the end of the {size}-byte document"
            ),
            PayloadError::ConflictingSignatures => write!(
                f,
                "the signatures disagree on formatLength/formatTail, so there is no single payload"
            ),
        }
    }
}

/// A JOSE base64url value; libtrust strips padding but tolerate it if present.
fn base64url(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok()
}

/// Reconstructs the signed payload of `bytes`, whose parsed form is `value`.
pub fn payload(bytes: &[u8], value: &Value) -> Result<Payload, PayloadError> {
    let signatures = match value.get("signatures") {
        Some(Value::Array(list)) => list,
        Some(_) => return Err(PayloadError::SignaturesNotAnArray),
        None => return Err(PayloadError::NoSignatures),
    };
    if signatures.is_empty() {
        return Err(PayloadError::NoSignatures);
    }
    let mut format: Option<(u64, Vec<u8>)> = None;
    let mut signers = Vec::with_capacity(signatures.len());
    for (index, signature) in signatures.iter().enumerate() {
        let protected = signature
            .get("protected")
            .and_then(Value::as_str)
            .ok_or(PayloadError::ProtectedMissing { index })?;
        let header_bytes = base64url(protected).ok_or(PayloadError::ProtectedNotBase64 { index })?;
        let header: Value = serde_json::from_slice(&header_bytes)
            .ok()
            .filter(Value::is_object)
            .ok_or(PayloadError::ProtectedNotJson { index })?;
        let length = header
            .get("formatLength")
            .and_then(Value::as_u64)
            .ok_or(PayloadError::FormatLengthMissing { index })?;
        let tail = header
            .get("formatTail")
            .and_then(Value::as_str)
            .ok_or(PayloadError::FormatTailMissing { index })?;
        let tail = base64url(tail).ok_or(PayloadError::FormatTailNotBase64 { index })?;
        match &format {
            None => format = Some((length, tail)),
            Some(first) if *first == (length, tail) => {}
            Some(_) => return Err(PayloadError::ConflictingSignatures),
        }
        let jwk = signature.get("header").and_then(|h| h.get("jwk"));
        let signer = jwk
            .and_then(|k| k.get("kid"))
            .or_else(|| signature.get("header").and_then(|h| h.get("alg")))
            .and_then(Value::as_str)
            .unwrap_or("unnamed key");
        signers.push(signer.to_owned());
    }
    let Some((format_length, tail)) = format else {
        return Err(PayloadError::NoSignatures);
    };
    let head = usize::try_from(format_length)
        .ok()
        .and_then(|n| bytes.get(..n))
        .ok_or(PayloadError::FormatLengthBeyondEnd {
            format_length,
            size: bytes.len(),
        })?;
    let mut payload = Vec::with_capacity(head.len() + tail.len());
    payload.extend_from_slice(head);
    payload.extend_from_slice(&tail);
    Ok(Payload {
        digest: Digest::sha256(&payload),
        format_length: head.len(),
        length: payload.len(),
        signature_count: signatures.len(),
        signers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(body: &str, protected_json: &str) -> (Vec<u8>, Value) {
        let protected = URL_SAFE_NO_PAD.encode(protected_json);
        let text = format!(
            "{body},\n   \"signatures\": [{{\"header\":{{\"alg\":\"ES256\"}},\"signature\":\"x\",\"protected\":\"{protected}\"}}]\n}}"
        );
        let value = serde_json::from_str(&text).unwrap();
        (text.into_bytes(), value)
    }

    #[test]
    fn payload_is_the_head_plus_the_decoded_tail() {
        let body = "{\n   \"schemaVersion\": 1";
        let tail = URL_SAFE_NO_PAD.encode("\n}");
        let (bytes, value) = signed(
            body,
            &format!("{{\"formatLength\":{},\"formatTail\":\"{tail}\"}}", body.len()),
        );
        let payload = payload(&bytes, &value).unwrap();
        // The expected payload bytes are written out here, not derived from the function under test.
        assert_eq!(payload.digest, Digest::sha256(b"{\n   \"schemaVersion\": 1\n}"));
        assert_eq!(payload.signers, vec!["ES256".to_owned()]);
    }

    #[test]
    fn format_length_past_the_end_is_an_error_not_a_panic() {
        let (bytes, value) = signed(
            "{\"schemaVersion\": 1",
            "{\"formatLength\":99999,\"formatTail\":\"Cn0\"}",
        );
        assert_eq!(
            payload(&bytes, &value),
            Err(PayloadError::FormatLengthBeyondEnd {
                format_length: 99999,
                size: bytes.len()
            })
        );
    }

    #[test]
    fn broken_protected_header_is_named() {
        let (bytes, value) = signed("{\"schemaVersion\": 1", "not json");
        assert_eq!(
            payload(&bytes, &value),
            Err(PayloadError::ProtectedNotJson { index: 0 })
        );
    }
}
