//! The family of an image: how the digests of several loaded documents tie together.
//!
//! An index lists platform manifests; a manifest names its config (whose digest is the Image ID)
//! and its layer blobs; the config lists the layers' diff_ids, from which the chain IDs follow.
//! Documents are linked ONLY by digest: a descriptor whose digest equals a loaded document's
//! [`Analysis::digest`] resolves to that document, and its declared `size` and `mediaType` are
//! checked against it. Everything else stays on the map as "not loaded".
//!
//! The walk goes by digest with a visited set, so crafted input that refers to itself (or two
//! documents that refer to each other) is walked once and never loops.

pub mod which;

mod builder;

use builder::Builder;

use super::descriptor::{Platform, Role};
use super::digest::Digest;
use super::document::{Analysis, Document};
use super::explain::DigestRole;
use super::media_type::MediaType;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;

/// One loaded document as the family sees it.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    /// How the page names it (a file name, "Pasted text").
    pub name: &'a str,
    /// Its exact bytes.
    pub bytes: &'a [u8],
    pub analysis: &'a Analysis,
}

impl<'a> Member<'a> {
    /// The member for a loaded document. Building one from parts is for tests that need an
    /// analysis its bytes would not give (a digest collision, a document that lists itself).
    pub fn new(name: &'a str, document: &'a Document) -> Member<'a> {
        Member {
            name,
            bytes: document.bytes(),
            analysis: document.analysis(),
        }
    }
}

/// Position of a node in [`Family::nodes`].
pub type NodeId = usize;

/// What makes a node the same node: the same digest is the same bytes, wherever it is listed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NodeKey {
    /// A document or blob, named by its digest.
    Digest(Digest),
    /// A descriptor without a usable digest, named by where it sits.
    Undigested { parent: Digest, path: String },
    /// `rootfs.diff_ids[index]` of the config `config`.
    DiffId { config: Digest, index: usize },
    /// The chain ID of layers `0..=index` of the config `config`.
    ChainId { config: Digest, index: usize },
}

/// The text form of a [`NodeKey`], so a permalink can say which box of the map was selected:
/// a digest as itself (`sha256:…`), the others as `<what>@<digest>/<where>`. `@` never occurs in
/// a digest, so the forms cannot be confused, and a digest never holds `/`, so the part after
/// the first `/` (a descriptor's path) may hold anything.
impl fmt::Display for NodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeKey::Digest(digest) => write!(f, "{digest}"),
            NodeKey::Undigested { parent, path } => write!(f, "{UNDIGESTED}@{parent}/{path}"),
            NodeKey::DiffId { config, index } => write!(f, "{DIFF_ID}@{config}/{index}"),
            NodeKey::ChainId { config, index } => write!(f, "{CHAIN_ID}@{config}/{index}"),
        }
    }
}

const UNDIGESTED: &str = "undigested";
const DIFF_ID: &str = "diff_id";
const CHAIN_ID: &str = "chain_id";

/// Text that names no box of any map (see [`NodeKey`]'s `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotANodeKey(pub String);

impl fmt::Display for NotANodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} does not name a box of the relationship map", self.0)
    }
}

impl std::error::Error for NotANodeKey {}

impl std::str::FromStr for NodeKey {
    type Err = NotANodeKey;

    fn from_str(text: &str) -> Result<NodeKey, NotANodeKey> {
        let refused = || NotANodeKey(text.to_owned());
        let Some((what, rest)) = text.split_once('@') else {
            return text.parse().map(NodeKey::Digest).map_err(|_| refused());
        };
        let (digest, place) = rest.split_once('/').ok_or_else(refused)?;
        let digest: Digest = digest.parse().map_err(|_| refused())?;
        let index = || place.parse::<usize>().map_err(|_| refused());
        match what {
            UNDIGESTED => Ok(NodeKey::Undigested {
                parent: digest,
                path: place.to_owned(),
            }),
            DIFF_ID => Ok(NodeKey::DiffId {
                config: digest,
                index: index()?,
            }),
            CHAIN_ID => Ok(NodeKey::ChainId {
                config: digest,
                index: index()?,
            }),
            _ => Err(refused()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Index,
    Manifest,
    Config,
    Layer,
    /// Loaded bytes or a listed blob that is none of the above.
    Blob,
    DiffId,
    ChainId,
}

impl NodeKind {
    /// Stable short name, used as `data-kind` in the page.
    pub fn slug(self) -> &'static str {
        match self {
            NodeKind::Index => "index",
            NodeKind::Manifest => "manifest",
            NodeKind::Config => "config",
            NodeKind::Layer => "layer",
            NodeKind::Blob => "blob",
            NodeKind::DiffId => "diff-id",
            NodeKind::ChainId => "chain-id",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeState {
    /// A loaded document, consistent with every descriptor that points at it.
    Resolved,
    /// Listed by a descriptor; no loaded document has this digest.
    NotLoaded,
    /// Loaded, but a descriptor that points at it declares another size or media type.
    Mismatch,
    /// A value computed from a loaded config (diff_ids, chain IDs): nothing to load.
    Derived,
}

impl NodeState {
    /// Stable short name, used as `data-state` in the page.
    pub fn slug(self) -> &'static str {
        match self {
            NodeState::Resolved => "resolved",
            NodeState::NotLoaded => "not-loaded",
            NodeState::Mismatch => "mismatch",
            NodeState::Derived => "derived",
        }
    }

    /// How the state reads, for screen readers and the map's legend.
    pub fn words(self) -> &'static str {
        match self {
            NodeState::Resolved => "loaded",
            NodeState::NotLoaded => "listed, not loaded",
            NodeState::Mismatch => "loaded, but its descriptor declares another size or media type",
            NodeState::Derived => "computed from the loaded config",
        }
    }
}

/// Why one node points at another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeLabel {
    /// An index lists a manifest (or another index).
    Lists,
    Config,
    Layer,
    /// A config lists a diff_id.
    DiffId,
    /// A chain ID is made from the previous chain ID and a diff_id.
    Chain,
    Subject,
    /// A `blobs` entry.
    Blob,
}

impl EdgeLabel {
    /// The word drawn on the edge, also its `data-label`.
    pub fn slug(self) -> &'static str {
        match self {
            EdgeLabel::Lists => "lists",
            EdgeLabel::Config => "config",
            EdgeLabel::Layer => "layer",
            EdgeLabel::DiffId => "diff_id",
            EdgeLabel::Chain => "chain",
            EdgeLabel::Subject => "subject",
            EdgeLabel::Blob => "blob",
        }
    }

    fn of(role: Role) -> EdgeLabel {
        match role {
            Role::Config => EdgeLabel::Config,
            Role::Layer(_) => EdgeLabel::Layer,
            Role::Manifest(_) => EdgeLabel::Lists,
            Role::Subject => EdgeLabel::Subject,
            Role::Blob(_) => EdgeLabel::Blob,
        }
    }
}

/// A descriptor pointing at a node: who lists it, where, and what it declares.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub parent: NodeId,
    pub role: Role,
    pub size: Option<u64>,
    pub media_type: Option<MediaType>,
    pub platform: Option<Platform>,
}

/// A descriptor that disagrees with the loaded document its digest names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    Size {
        /// e.g. `manifests[1] of the index sha256:b9eeab848c10`
        at: String,
        declared: u64,
        actual: u64,
    },
    MediaType {
        at: String,
        declared: String,
        /// The document's `mediaType` field, or what its shape is.
        actual: String,
    },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Size { at, declared, actual } => write!(
                f,
                "{at} declares size {declared} bytes, but the loaded document with this digest is {actual} bytes. \
                 Registries and clients check the size: pulling through this descriptor fails."
            ),
            Mismatch::MediaType { at, declared, actual } => write!(
                f,
                "{at} declares mediaType {declared}, but the loaded document with this digest is {actual}. \
                 Clients pick a parser by the declared type, so they may reject it."
            ),
        }
    }
}

/// Something about the family as a whole worth telling the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FamilyWarning {
    /// A manifest's layer count differs from its config's diff_id count: no runtime accepts that.
    LayerCountDiffers {
        manifest: Digest,
        platform: Option<String>,
        layers: usize,
        diff_ids: usize,
    },
    /// The index entry and the config name different platforms.
    PlatformDisagrees {
        manifest: Digest,
        index_says: String,
        config_says: String,
    },
    /// Two loaded documents have the same digest but different bytes (schema 1 signed twice).
    SameDigestOtherBytes {
        digest: Digest,
        first: String,
        second: String,
    },
}

impl fmt::Display for FamilyWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FamilyWarning::LayerCountDiffers {
                manifest,
                platform,
                layers,
                diff_ids,
            } => {
                let which = platform.as_deref().map_or_else(String::new, |p| format!("{p} "));
                write!(
                    f,
                    "The {which}manifest {manifest} lists {layers} layer(s) but its config lists {diff_ids} diff_id(s). \
                     Layer i must match diff_id i: docker and containerd refuse to unpack this image."
                )
            }
            FamilyWarning::PlatformDisagrees {
                manifest,
                index_says,
                config_says,
            } => write!(
                f,
                "The index lists the manifest {manifest} as {index_says}, but its config says {config_says}."
            ),
            FamilyWarning::SameDigestOtherBytes {
                digest,
                first,
                second,
            } => write!(
                f,
                "{first} and {second} have the same digest {digest} but different bytes (a signed schema 1 \
                 manifest is signed anew on every pull); the map shows the first."
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub key: NodeKey,
    pub kind: NodeKind,
    pub digest: Option<Digest>,
    /// The loaded document with this digest (position in the members given to [`Family::build`]).
    pub document: Option<usize>,
    /// The document's size when loaded, else the first declared size.
    pub size: Option<u64>,
    /// The platform this node belongs to: from the index entry, else from the image's config.
    pub platform: Option<Platform>,
    /// Every descriptor that points at this node, in walk order.
    pub references: Vec<Reference>,
    pub mismatches: Vec<Mismatch>,
}

impl Node {
    pub fn state(&self) -> NodeState {
        match (&self.key, self.document) {
            (NodeKey::DiffId { .. } | NodeKey::ChainId { .. }, _) => NodeState::Derived,
            (_, None) => NodeState::NotLoaded,
            (_, Some(_)) if !self.mismatches.is_empty() => NodeState::Mismatch,
            (_, Some(_)) => NodeState::Resolved,
        }
    }

    /// The position of a layer, diff_id or chain ID in its image.
    pub fn layer_index(&self) -> Option<usize> {
        match &self.key {
            NodeKey::DiffId { index, .. } | NodeKey::ChainId { index, .. } => Some(*index),
            _ => self.references.iter().find_map(|r| match r.role {
                Role::Layer(i) | Role::Blob(i) => Some(i),
                _ => None,
            }),
        }
    }

    /// What the node is, in a few words: the first line of its box on the map.
    pub fn title(&self) -> String {
        let platform = self.platform.as_ref().map(Platform::to_string);
        let listed_in_index = self
            .references
            .iter()
            .any(|r| matches!(r.role, Role::Manifest(_)));
        let index = self.layer_index().unwrap_or(0);
        match self.kind {
            NodeKind::Index => "index".to_owned(),
            NodeKind::Manifest => match platform {
                Some(p) if listed_in_index => format!("{p} manifest"),
                _ if self.references.iter().any(|r| r.role == Role::Subject) => "subject manifest".to_owned(),
                _ => "image manifest".to_owned(),
            },
            NodeKind::Config => "config = Image ID".to_owned(),
            NodeKind::Layer => format!("layer {index} blob"),
            NodeKind::Blob => "blob".to_owned(),
            NodeKind::DiffId => format!("diff_id {index}"),
            NodeKind::ChainId => format!("chain ID {index}"),
        }
    }

    /// Which digest of an image this is, for [`super::explain::explain`].
    pub fn digest_role(&self) -> DigestRole {
        let in_index = self
            .references
            .iter()
            .any(|r| matches!(r.role, Role::Manifest(_)));
        let index = self.layer_index().unwrap_or(0);
        match self.kind {
            NodeKind::Index => DigestRole::Index,
            NodeKind::Manifest if in_index => DigestRole::PlatformManifest {
                platform: self.platform.clone(),
            },
            NodeKind::Manifest if self.references.iter().any(|r| r.role == Role::Subject) => {
                DigestRole::Subject
            }
            NodeKind::Manifest => DigestRole::Manifest,
            NodeKind::Config => DigestRole::Config,
            NodeKind::Layer => DigestRole::LayerBlob { index },
            NodeKind::Blob => DigestRole::Bytes,
            NodeKind::DiffId => DigestRole::DiffId { index },
            NodeKind::ChainId => DigestRole::ChainId { index },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Edge {
    pub from: NodeId,
    pub to: NodeId,
    pub label: EdgeLabel,
}

/// Why a layer blob digest and a diff_id differ; shown beside every layer / diff_id pair.
pub const LAYER_VS_DIFF_ID: &str =
    "The layer blob digest is the sha256 of the layer as stored and sent by the \
    registry, usually gzip or zstd compressed. The diff_id is the sha256 of the same layer uncompressed (the \
    plain tar), as listed in the config's rootfs.diff_ids. Recompressing a layer (another gzip level, zstd) \
    changes the blob digest and so the manifest digest, never the diff_id, the config or the Image ID.";

/// The documents loaded together and every digest that ties them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Family {
    pub nodes: Vec<Node>,
    /// Deduplicated: one edge per (from, to, label), in walk order.
    pub edges: Vec<Edge>,
    /// Loaded documents that no other loaded document lists, in load order (then any left in cycles).
    pub roots: Vec<NodeId>,
    pub warnings: Vec<FamilyWarning>,
    by_key: HashMap<NodeKey, NodeId>,
    /// For each node, the positions in `edges` of the edges leaving it.
    out: Vec<Vec<usize>>,
}

impl Family {
    pub fn build(members: &[Member<'_>]) -> Family {
        Builder::new(members).run()
    }

    pub fn node_id(&self, key: &NodeKey) -> Option<NodeId> {
        self.by_key.get(key).copied()
    }

    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// Edges leaving `id`, in the order the document lists them.
    pub fn children(&self, id: NodeId) -> impl Iterator<Item = &Edge> {
        self.out
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.edges.get(i))
    }

    /// The config a manifest names.
    pub fn config_of(&self, manifest: NodeId) -> Option<NodeId> {
        self.children(manifest)
            .find(|e| e.label == EdgeLabel::Config)
            .map(|e| e.to)
    }

    /// For a layer blob or a diff_id: layer blob i and diff_id i of the same image, and i.
    /// Either side is `None` when its document (manifest or config) is not loaded.
    pub fn layer_pair(&self, id: NodeId) -> Option<(Option<NodeId>, Option<NodeId>, usize)> {
        let node = self.node(id)?;
        let index = node.layer_index()?;
        let at = |list: NodeId, label: EdgeLabel| {
            self.children(list)
                .filter(|e| e.label == label)
                .map(|e| e.to)
                .find(|&to| self.node(to).and_then(Node::layer_index) == Some(index))
        };
        match node.kind {
            NodeKind::Layer => {
                let manifest = node
                    .references
                    .iter()
                    .find(|r| r.role == Role::Layer(index))?
                    .parent;
                let diff_id = self.config_of(manifest).and_then(|c| at(c, EdgeLabel::DiffId));
                Some((Some(id), diff_id, index))
            }
            NodeKind::DiffId => {
                let config = self
                    .edges
                    .iter()
                    .find(|e| e.to == id && e.label == EdgeLabel::DiffId)?
                    .from;
                let manifest = self
                    .node(config)?
                    .references
                    .iter()
                    .find(|r| r.role == Role::Config);
                let layer = manifest.and_then(|r| at(r.parent, EdgeLabel::Layer));
                Some((layer, Some(id), index))
            }
            _ => None,
        }
    }

    /// Every node carrying `digest` (a digest can be a blob and also a diff_id or chain ID).
    pub fn nodes_with(&self, digest: &Digest) -> impl Iterator<Item = NodeId> + '_ {
        let digest = digest.clone();
        self.nodes
            .iter()
            .enumerate()
            .filter(move |(_, n)| n.digest.as_ref() == Some(&digest))
            .map(|(i, _)| i)
    }

    /// The descriptor as its parent wrote it, pretty-printed (a view: the digest is of the parent's bytes).
    pub fn descriptor_json(&self, members: &[Member<'_>], reference: &Reference) -> Option<String> {
        let parent = self.nodes.get(reference.parent)?;
        let json = members.get(parent.document?)?.analysis.json.as_ref()?;
        let value: &Value = match reference.role {
            Role::Config => json.get("config")?,
            Role::Subject => json.get("subject")?,
            Role::Layer(i) => json.get("layers")?.get(i)?,
            Role::Manifest(i) => json.get("manifests")?.get(i)?,
            Role::Blob(i) => json.get("blobs")?.get(i)?,
        };
        serde_json::to_string_pretty(value).ok()
    }

    /// Where a reference sits, in words: `manifests[1] of the index sha256:b9eeab848c10`.
    pub fn reference_place(&self, reference: &Reference) -> String {
        let parent = self.nodes.get(reference.parent);
        let what = parent.map_or_else(|| "a document".to_owned(), |p| format!("the {}", p.title()));
        let digest = parent
            .and_then(|p| p.digest.as_ref())
            .map_or_else(String::new, |d| {
                format!(" {}:{}", d.algorithm().as_str(), d.short())
            });
        format!("{} of {what}{digest}", reference.role.path())
    }
}
