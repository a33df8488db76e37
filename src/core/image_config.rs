//! Image configs (OCI image spec `config.md`; Docker's container image config has the same shape).
//!
//! The config blob's digest is the Image ID docker shows. Its `rootfs.diff_ids` are the digests of
//! the UNCOMPRESSED layer tars, so they survive recompression; the chain IDs fold them together:
//!
//! ```text
//! ChainID(L0)     = DiffID(L0)
//! ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln))
//! ```

use super::descriptor::Platform;
use super::digest::{Digest, DigestError};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageConfig {
    pub platform: Option<Platform>,
    pub created: Option<String>,
    pub rootfs_type: Option<String>,
    /// `rootfs.diff_ids` in order, each parsed; a malformed one keeps its text.
    pub diff_ids: Vec<Result<Digest, (String, DigestError)>>,
    /// Chain IDs of the leading run of valid sha256 diff_ids.
    pub chain_ids: Vec<Digest>,
    pub history_count: usize,
    /// History entries with `empty_layer: true` (ENV, LABEL…): they add no diff_id.
    pub empty_layer_history_count: usize,
    pub labels: Vec<(String, String)>,
}

impl ImageConfig {
    pub fn from_value(value: &Value) -> ImageConfig {
        let rootfs = value.get("rootfs");
        let diff_ids: Vec<_> = rootfs
            .and_then(|r| r.get("diff_ids"))
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .map(|id| {
                        let text = id.as_str().map_or_else(|| id.to_string(), str::to_owned);
                        text.parse::<Digest>().map_err(|e| (text, e))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let valid: Vec<Digest> = diff_ids.iter().map_while(|d| d.as_ref().ok().cloned()).collect();
        let history = value.get("history").and_then(Value::as_array);
        ImageConfig {
            platform: Platform::from_value(value),
            created: value.get("created").and_then(Value::as_str).map(str::to_owned),
            rootfs_type: rootfs
                .and_then(|r| r.get("type"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            // Every entry is a valid diff_id or a sha256 output, so each parses.
            chain_ids: chain_ids(&valid).iter().filter_map(|c| c.parse().ok()).collect(),
            diff_ids,
            history_count: history.map_or(0, Vec::len),
            empty_layer_history_count: history.map_or(0, |h| {
                h.iter()
                    .filter(|e| e.get("empty_layer").and_then(Value::as_bool) == Some(true))
                    .count()
            }),
            labels: super::descriptor::string_map(value.get("config").and_then(|c| c.get("Labels"))),
        }
    }
}

/// Chain IDs of a layer stack (see the module docs). The hash input is the digests' text form, so
/// diff_ids are taken as text: image-spec's own test vectors use strings like `sha256:a`.
pub fn chain_ids<D: std::fmt::Display>(diff_ids: &[D]) -> Vec<String> {
    let mut chain: Vec<String> = Vec::with_capacity(diff_ids.len());
    for diff_id in diff_ids {
        let next = match chain.last() {
            None => diff_id.to_string(),
            Some(parent) => Digest::sha256(format!("{parent} {diff_id}").as_bytes()).to_string(),
        };
        chain.push(next);
    }
    chain
}
