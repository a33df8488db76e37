//! "Which digest is this?": a pasted digest (or the 12-hex short form `docker images` prints)
//! named by its place in the loaded family, or, when it is none of them, what it might be.

use super::{Family, Member, NodeId, NodeKind, NodeState};
use crate::core::descriptor::Role;
use crate::core::digest::{Algorithm, Digest, DigestError};
use serde::Serialize;
use std::fmt;

/// The fewest hex characters accepted: `docker images` prints 12.
pub const SHORTEST_PREFIX: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    Exact(Digest),
    /// The start of a sha256 digest's hex, like a short Image ID.
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    Empty,
    TooShort { written: String },
    NotHex { written: String },
    Digest { written: String, error: DigestError },
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::Empty => write!(f, "Paste a digest, or the 12 characters `docker images` shows as IMAGE ID."),
            QueryError::TooShort { written } => write!(
                f,
                "{written:?} is too short to name one digest: give at least {SHORTEST_PREFIX} hex characters (docker images shows 12)."
            ),
            QueryError::NotHex { written } => write!(
                f,
                "{written:?} is not a digest: a digest is sha256: followed by 64 hex characters (0-9, a-f)."
            ),
            QueryError::Digest { written, error } => write!(f, "{written:?} is not a valid digest: {error}."),
        }
    }
}

impl Query {
    /// Reads what the user pasted: `sha256:<64 hex>`, 64 bare hex, or a hex prefix of 12 or more.
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        let written = text.trim();
        if written.is_empty() {
            return Err(QueryError::Empty);
        }
        let is_hex = |s: &str| s.chars().all(|c| c.is_ascii_hexdigit());
        let lower = written.to_ascii_lowercase();
        let bare = lower.strip_prefix("sha256:");
        let hex = bare.unwrap_or(&lower);
        let exact = |digest: String| {
            digest
                .parse()
                .map(Query::Exact)
                .map_err(|error| QueryError::Digest {
                    written: written.to_owned(),
                    error,
                })
        };
        if (bare.is_some() || !lower.contains(':')) && is_hex(hex) {
            return match hex.len() {
                n if n < SHORTEST_PREFIX => Err(QueryError::TooShort {
                    written: written.to_owned(),
                }),
                n if n < 64 => Ok(Query::Prefix(hex.to_owned())),
                64 => exact(format!("sha256:{hex}")),
                // 128 bare hex characters can only be sha512; other lengths fail with the reason.
                _ if bare.is_none() => exact(format!("sha512:{hex}")),
                _ => exact(lower.clone()),
            };
        }
        if !lower.contains(':') {
            return Err(QueryError::NotHex {
                written: written.to_owned(),
            });
        }
        exact(written.to_owned())
    }

    fn matches(&self, digest: &Digest) -> bool {
        match self {
            Query::Exact(d) => d == digest,
            Query::Prefix(hex) => {
                *digest.algorithm() == Algorithm::Sha256 && digest.encoded().starts_with(hex.as_str())
            }
        }
    }
}

/// One place the digest has in the family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub node: NodeId,
    pub digest: Digest,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub query: Query,
    /// Every node carrying the digest (a prefix may name several digests).
    pub matches: Vec<Match>,
    /// When nothing matches: what the digest might be, most specific first.
    pub hints: Vec<String>,
}

impl Answer {
    /// True when a prefix names more than one digest.
    pub fn is_ambiguous(&self) -> bool {
        match self.matches.split_first() {
            Some((first, rest)) => rest.iter().any(|m| m.digest != first.digest),
            None => false,
        }
    }
}

impl Family {
    /// Names `text` in this family; `members` are the documents the family was built from.
    pub fn which(&self, members: &[Member<'_>], text: &str) -> Result<Answer, QueryError> {
        let query = Query::parse(text)?;
        let matches: Vec<Match> = self
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(id, n)| {
                let digest = n.digest.as_ref().filter(|d| query.matches(d))?;
                Some(Match {
                    node: id,
                    digest: digest.clone(),
                    what: self.describe(id),
                })
            })
            .collect();
        let hints = if matches.is_empty() {
            self.hints(members, &query)
        } else {
            Vec::new()
        };
        Ok(Answer {
            query,
            matches,
            hints,
        })
    }

    /// What a node's digest is, in one sentence fragment: "the linux/arm64 manifest digest".
    pub fn describe(&self, id: NodeId) -> String {
        let Some(node) = self.nodes.get(id) else {
            return String::new();
        };
        let of = node
            .platform
            .as_ref()
            .map_or_else(String::new, |p| format!(" of {p}"));
        let index = node.layer_index().unwrap_or(0);
        let in_index = node
            .references
            .iter()
            .any(|r| matches!(r.role, Role::Manifest(_)));
        let what = match node.kind {
            NodeKind::Index => {
                "the index digest (multi-platform): what a pull of the tag prints and RepoDigests lists"
                    .to_owned()
            }
            NodeKind::Manifest if in_index => match &node.platform {
                Some(p) => format!("the {p} manifest digest (one platform of the index)"),
                None => "a platform manifest digest listed in the index".to_owned(),
            },
            NodeKind::Manifest if node.references.iter().any(|r| r.role == Role::Subject) => {
                "the subject manifest digest (what an artifact is attached to)".to_owned()
            }
            NodeKind::Manifest => format!("the image manifest digest{of}"),
            NodeKind::Config => format!("the config digest = Image ID{of}"),
            NodeKind::Layer => format!("layer {index}'s blob digest (as stored, usually compressed){of}"),
            NodeKind::Blob => {
                "the digest of a loaded document that is no manifest, index or config".to_owned()
            }
            NodeKind::DiffId => format!("layer {index}'s diff_id (sha256 of the uncompressed tar){of}"),
            NodeKind::ChainId if index == 0 => {
                format!("the chain ID of layer 0{of} (the first chain ID is the first diff_id)")
            }
            NodeKind::ChainId => format!("the chain ID of layers 0..{index}{of}"),
        };
        let mut parents: Vec<NodeId> = node.references.iter().map(|r| r.parent).collect();
        parents.sort_unstable();
        parents.dedup();
        let distinct = parents.len();
        let shared = if distinct > 1 {
            format!(", listed by {distinct} documents")
        } else {
            String::new()
        };
        let state = match node.state() {
            NodeState::Resolved => " (loaded)",
            NodeState::NotLoaded => " (listed, not loaded)",
            NodeState::Mismatch => " (loaded, but a descriptor declares another size or media type)",
            NodeState::Derived => "",
        };
        format!("{what}{shared}{state}")
    }

    fn hints(&self, members: &[Member<'_>], query: &Query) -> Vec<String> {
        let mut hints = Vec::new();
        match query {
            Query::Exact(digest) => {
                for member in members {
                    if let Some(hint) = other_bytes_hint(member, digest) {
                        hints.push(hint);
                    }
                }
            }
            Query::Prefix(_) => hints.push(
                "docker images shows the first 12 hex characters of the Image ID, which is the config digest; \
                 with Docker's containerd image store it shows the manifest or index digest instead. \
                 Load that image's config or manifest to compare."
                    .to_owned(),
            ),
        }
        let count = {
            let mut digests: Vec<&Digest> = self.nodes.iter().filter_map(|n| n.digest.as_ref()).collect();
            digests.sort();
            digests.dedup();
            digests.len()
        };
        hints.push(format!(
            "It is none of the {count} digests on this map. It may belong to an image or platform that is not \
             loaded (load its index, manifest or config), or be the digest of a loaded document serialized \
             differently (pretty-printed, re-encoded by another tool or registry): same content, other bytes, \
             another digest."
        ));
        hints
    }
}

/// Bytes a tool could have hashed instead of the loaded ones, each with how it differs.
fn variants(member: &Member<'_>) -> Vec<(&'static str, Vec<u8>)> {
    let bytes = member.bytes;
    let mut out: Vec<(&'static str, Vec<u8>)> = Vec::new();
    match bytes.strip_suffix(b"\r\n").or_else(|| bytes.strip_suffix(b"\n")) {
        Some(without) => out.push(("without its trailing newline", without.to_vec())),
        None => out.push(("with a newline added at the end", [bytes, b"\n"].concat())),
    }
    if let Some(json) = &member.analysis.json {
        let pretty = |indent: &[u8]| {
            let mut buf = Vec::new();
            let formatter = serde_json::ser::PrettyFormatter::with_indent(indent);
            let mut serializer = serde_json::Serializer::with_formatter(&mut buf, formatter);
            json.serialize(&mut serializer).ok().map(|()| buf)
        };
        let forms = [
            (
                "re-serialized compactly (no whitespace)",
                serde_json::to_vec(json).ok(),
            ),
            (
                "pretty-printed with a 2-space indent (as jq prints it)",
                pretty(b"  "),
            ),
            (
                "pretty-printed with a 3-space indent (as docker writes manifest lists)",
                pretty(b"   "),
            ),
            ("pretty-printed with tabs", pretty(b"\t")),
        ];
        for (how, form) in forms {
            if let Some(form) = form {
                out.push((how, form.clone()));
                out.push((how, [form.as_slice(), b"\n"].concat()));
            }
        }
    }
    out
}

/// When `digest` is a digest of `member` other than its own: another algorithm, the signed bytes
/// of schema 1, or the same JSON in other bytes.
fn other_bytes_hint(member: &Member<'_>, digest: &Digest) -> Option<String> {
    let name = member.name;
    let own = member.analysis.digest();
    if *digest.algorithm() == Algorithm::Sha512 {
        return (Digest::sha512(member.bytes) == *digest).then(|| {
            format!("It is the sha512 of {name}'s exact bytes: the same bytes as {own}, hashed with another algorithm.")
        });
    }
    if member.analysis.bytes_digest == *digest && own != digest {
        return Some(format!(
            "It is the sha256 of {name} as given, signatures included. Tools name this signed schema 1 manifest by \
             the sha256 of its signed payload, {own}."
        ));
    }
    if *digest.algorithm() != Algorithm::Sha256 {
        return None;
    }
    variants(member).into_iter().find_map(|(how, bytes)| {
        (Digest::sha256(&bytes) == *digest).then(|| {
            let newline = if bytes.ends_with(b"\n") && !how.starts_with("with") && !how.starts_with("without") {
                ", plus a trailing newline"
            } else {
                ""
            };
            format!(
                "It is the digest of {name} {how}{newline}: the same content in other bytes. A tool re-wrote the \
                 document, so its digest changed; {own} is the digest of the bytes as loaded."
            )
        })
    })
}
