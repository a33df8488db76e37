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

use super::descriptor::{Descriptor, Platform, Role};
use super::digest::Digest;
use super::document::{Analysis, Body, Kind};
use super::explain::DigestRole;
use super::media_type::MediaType;
use serde_json::Value;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

/// One loaded document as the family sees it.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    /// How the page names it (a file name, "Pasted text").
    pub name: &'a str,
    /// Its exact bytes.
    pub bytes: &'a [u8],
    pub analysis: &'a Analysis,
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

/// What a descriptor's media type says the target is, to compare with what the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Index,
    Manifest,
    Schema1,
    Config,
    /// Not JSON of a known kind: layers, unknown JSON, empty.
    Other,
}

fn shape_of_kind(kind: Kind) -> Shape {
    match kind {
        Kind::OciIndex | Kind::DockerManifestList => Shape::Index,
        Kind::OciManifest | Kind::DockerManifest | Kind::OciArtifactManifest => Shape::Manifest,
        Kind::DockerSchema1 | Kind::DockerSchema1Signed => Shape::Schema1,
        Kind::OciConfig | Kind::DockerConfig | Kind::ImageConfig | Kind::MinimalConfig => Shape::Config,
        Kind::UnknownJson | Kind::NotJson | Kind::Empty => Shape::Other,
    }
}

/// The shape a declared media type promises; `None` when it promises nothing checkable.
fn shape_of_media_type(media_type: &MediaType) -> Option<Shape> {
    Some(match media_type {
        MediaType::OciIndex | MediaType::DockerManifestList => Shape::Index,
        MediaType::OciManifest | MediaType::DockerManifest | MediaType::OciArtifactManifest => {
            Shape::Manifest
        }
        MediaType::DockerSchema1 | MediaType::DockerSchema1Signed => Shape::Schema1,
        MediaType::OciConfig | MediaType::DockerConfig => Shape::Config,
        MediaType::OciLayerTar
        | MediaType::OciLayerGzip
        | MediaType::OciLayerZstd
        | MediaType::OciLayerNondistributableTar
        | MediaType::OciLayerNondistributableGzip
        | MediaType::OciLayerNondistributableZstd
        | MediaType::DockerLayerGzip
        | MediaType::DockerForeignLayerGzip => Shape::Other,
        // The empty descriptor, plugin configs, artifact configs and blobs, unknown types: what
        // their bytes must look like is their tool's business.
        _ => return None,
    })
}

fn node_kind(document: Option<&Analysis>, role: Option<Role>, media_type: Option<&MediaType>) -> NodeKind {
    let by_document = document.map(|a| shape_of_kind(a.kind));
    let by_media_type = media_type.and_then(shape_of_media_type);
    match by_document.filter(|s| *s != Shape::Other).or(by_media_type) {
        Some(Shape::Index) => NodeKind::Index,
        Some(Shape::Manifest | Shape::Schema1) => NodeKind::Manifest,
        Some(Shape::Config) => NodeKind::Config,
        Some(Shape::Other) | None => match role {
            Some(Role::Config) => NodeKind::Config,
            Some(Role::Layer(_) | Role::Blob(_)) => NodeKind::Layer,
            Some(Role::Manifest(_) | Role::Subject) => NodeKind::Manifest,
            None => NodeKind::Blob,
        },
    }
}

struct Builder<'m, 'a> {
    members: &'m [Member<'a>],
    family: Family,
    /// The first loaded document of each digest.
    documents: HashMap<Digest, usize>,
    edges_seen: HashSet<Edge, BuildHasherDefault<EdgeHasher>>,
    /// Documents already walked, by position in `members`.
    expanded: Vec<bool>,
}

/// Hashes an [`Edge`] (three small numbers) far faster than the default SipHash, which the
/// 1,000-descriptor families spend most of their build time in. Node ids are positions, not
/// input, so there is nothing for crafted input to collide on.
#[derive(Default)]
struct EdgeHasher(u64);

impl Hasher for EdgeHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

impl<'m, 'a> Builder<'m, 'a> {
    fn new(members: &'m [Member<'a>]) -> Self {
        let mut documents = HashMap::new();
        let mut family = Family::default();
        for (i, member) in members.iter().enumerate() {
            let digest = member.analysis.digest();
            match documents.get(digest) {
                None => {
                    documents.insert(digest.clone(), i);
                }
                Some(&first) => {
                    let earlier = members.get(first).map_or("", |m| m.name);
                    if members.get(first).map(|m| m.bytes) != Some(member.bytes) {
                        family.warnings.push(FamilyWarning::SameDigestOtherBytes {
                            digest: digest.clone(),
                            first: earlier.to_owned(),
                            second: member.name.to_owned(),
                        });
                    }
                }
            }
        }
        Builder {
            members,
            family,
            documents,
            edges_seen: HashSet::default(),
            expanded: vec![false; members.len()],
        }
    }

    fn run(mut self) -> Family {
        let members = self.members;
        let first_of_digest: Vec<usize> = (0..members.len())
            .filter(|&i| {
                members
                    .get(i)
                    .is_some_and(|m| self.documents.get(m.analysis.digest()) == Some(&i))
            })
            .collect();
        let mut listed_by_other = HashSet::new();
        for &i in &first_of_digest {
            let Some(member) = members.get(i) else { continue };
            for d in member.analysis.descriptors() {
                if let Some(&j) = d.digest.as_ref().and_then(|d| self.documents.get(d)) {
                    if j != i {
                        listed_by_other.insert(j);
                    }
                }
            }
        }
        // Documents nobody lists first; then whatever a cycle left unvisited.
        let order = first_of_digest
            .iter()
            .filter(|i| !listed_by_other.contains(*i))
            .chain(first_of_digest.iter().filter(|i| listed_by_other.contains(*i)));
        for &i in order {
            let Some(member) = members.get(i) else { continue };
            if self.expanded.get(i).copied().unwrap_or(true) {
                continue;
            }
            let id = self.document_node(i, member.analysis);
            self.family.roots.push(id);
            self.walk(i);
        }
        self.inherit_platforms();
        self.check_references();
        self.check_layer_counts();
        self.family
    }

    /// Expands document `start` and every loaded document it reaches, each once.
    fn walk(&mut self, start: usize) {
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            match self.expanded.get_mut(i) {
                Some(done) if !*done => *done = true,
                _ => continue,
            }
            let Some(member) = self.members.get(i) else {
                continue;
            };
            let parent = self.document_node(i, member.analysis);
            let parent_digest = member.analysis.digest().clone();
            let mut found = Vec::new();
            for d in member.analysis.descriptors() {
                let (child, document) = self.descriptor_node(parent, &parent_digest, d);
                self.edge(parent, child, EdgeLabel::of(d.role));
                found.extend(document);
            }
            if let Body::Config(config) = &member.analysis.body {
                self.derived_nodes(parent, &parent_digest, config);
            }
            // Pushed in reverse so the first listed is expanded first.
            stack.extend(found.into_iter().rev());
        }
    }

    fn derived_nodes(
        &mut self,
        config_node: NodeId,
        config: &Digest,
        image: &super::image_config::ImageConfig,
    ) {
        let mut diff_nodes = Vec::new();
        for (index, diff_id) in image.diff_ids.iter().enumerate() {
            let Ok(digest) = diff_id else { break };
            let key = NodeKey::DiffId {
                config: config.clone(),
                index,
            };
            let id = self.node(key, NodeKind::DiffId, Some(digest.clone()), None);
            self.edge(config_node, id, EdgeLabel::DiffId);
            diff_nodes.push(id);
        }
        let mut previous = None;
        for ((index, chain_id), &diff) in image.chain_ids.iter().enumerate().zip(&diff_nodes) {
            let key = NodeKey::ChainId {
                config: config.clone(),
                index,
            };
            let id = self.node(key, NodeKind::ChainId, Some(chain_id.clone()), None);
            if let Some(previous) = previous {
                self.edge(previous, id, EdgeLabel::Chain);
            }
            self.edge(diff, id, EdgeLabel::Chain);
            previous = Some(id);
        }
    }

    fn document_node(&mut self, i: usize, analysis: &Analysis) -> NodeId {
        let digest = analysis.digest().clone();
        let kind = node_kind(Some(analysis), None, None);
        self.node(NodeKey::Digest(digest.clone()), kind, Some(digest), Some(i))
    }

    /// The node a descriptor points at, with the reference recorded and checked. Also returns the
    /// loaded document it resolves to, for the walk to expand.
    fn descriptor_node(
        &mut self,
        parent: NodeId,
        parent_digest: &Digest,
        d: &Descriptor,
    ) -> (NodeId, Option<usize>) {
        let document = d
            .digest
            .as_ref()
            .and_then(|digest| self.documents.get(digest).copied());
        let analysis = document.and_then(|i| self.members.get(i)).map(|m| m.analysis);
        let kind = node_kind(analysis, Some(d.role), d.media_type.as_ref());
        let key = match &d.digest {
            Some(digest) => NodeKey::Digest(digest.clone()),
            None => NodeKey::Undigested {
                parent: parent_digest.clone(),
                path: d.role.path(),
            },
        };
        let id = self.node(key, kind, d.digest.clone(), document);
        let reference = Reference {
            parent,
            role: d.role,
            size: d.size,
            media_type: d.media_type.clone(),
            platform: d.platform.clone(),
        };
        if let Some(node) = self.family.nodes.get_mut(id) {
            if node.size.is_none() {
                node.size = d.size;
            }
            node.references.push(reference);
        }
        (id, document)
    }

    /// Checks every descriptor that names a loaded document. Runs after the platforms are known,
    /// so a message names "the linux/arm64 manifest" rather than just "the manifest".
    fn check_references(&mut self) {
        let found: Vec<(NodeId, Vec<Mismatch>)> = self
            .family
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(id, node)| {
                let target = self.members.get(node.document?)?.analysis;
                let mismatches: Vec<Mismatch> = node
                    .references
                    .iter()
                    .flat_map(|r| self.check(r, target))
                    .collect();
                Some((id, mismatches))
            })
            .collect();
        for (id, mismatches) in found {
            if let Some(node) = self.family.nodes.get_mut(id) {
                node.mismatches = mismatches;
            }
        }
    }

    /// Compares what a descriptor declares with the loaded document it names.
    fn check(&self, reference: &Reference, target: &Analysis) -> Vec<Mismatch> {
        let at = self.family.reference_place(reference);
        let mut found = Vec::new();
        if let Some(declared) = reference.size {
            let actual = target.size as u64;
            if declared != actual {
                found.push(Mismatch::Size {
                    at: at.clone(),
                    declared,
                    actual,
                });
            }
        }
        if let Some(declared) = &reference.media_type {
            let actual = match &target.media_type_field {
                Some(field) if field != declared.as_str() => Some(format!("mediaType {field}")),
                Some(_) => None,
                None => shape_of_media_type(declared)
                    .filter(|s| *s != shape_of_kind(target.kind))
                    .map(|_| target.kind.name().to_owned()),
            };
            if let Some(actual) = actual {
                found.push(Mismatch::MediaType {
                    at,
                    declared: declared.to_string(),
                    actual,
                });
            }
        }
        found
    }

    fn node(
        &mut self,
        key: NodeKey,
        kind: NodeKind,
        digest: Option<Digest>,
        document: Option<usize>,
    ) -> NodeId {
        let id = self.family.nodes.len();
        let key = match self.family.by_key.entry(key) {
            Entry::Occupied(known) => return *known.get(),
            Entry::Vacant(new) => {
                let key = new.key().clone();
                new.insert(id);
                key
            }
        };
        let size = document
            .and_then(|i| self.members.get(i))
            .map(|m| m.analysis.size as u64);
        self.family.nodes.push(Node {
            key,
            kind,
            digest,
            document,
            size,
            platform: None,
            references: Vec::new(),
            mismatches: Vec::new(),
        });
        id
    }

    fn edge(&mut self, from: NodeId, to: NodeId, label: EdgeLabel) {
        let edge = Edge { from, to, label };
        if self.edges_seen.insert(edge) {
            if self.family.out.len() <= from {
                self.family.out.resize_with(from + 1, Vec::new);
            }
            if let Some(out) = self.family.out.get_mut(from) {
                out.push(self.family.edges.len());
            }
            self.family.edges.push(edge);
        }
    }

    fn config_platform(&self, node: NodeId) -> Option<Platform> {
        let document = self.family.nodes.get(node)?.document?;
        match &self.members.get(document)?.analysis.body {
            Body::Config(config) => config.platform.clone(),
            _ => None,
        }
    }

    fn config_of(&self, manifest: NodeId) -> Option<NodeId> {
        self.family.config_of(manifest)
    }

    /// Platforms come from the index entry; a manifest without one takes its config's.
    /// Configs and layers take their manifest's; diff_ids and chain IDs their config's.
    fn inherit_platforms(&mut self) {
        let nodes = &self.family.nodes;
        let mut platforms: Vec<Option<Platform>> = nodes
            .iter()
            .enumerate()
            .map(|(id, n)| match n.kind {
                NodeKind::Manifest | NodeKind::Index => n
                    .references
                    .iter()
                    .find_map(|r| r.platform.clone())
                    .or_else(|| self.config_of(id).and_then(|c| self.config_platform(c))),
                _ => None,
            })
            .collect();
        for (id, node) in nodes.iter().enumerate() {
            if matches!(node.kind, NodeKind::Config | NodeKind::Layer) {
                let from_manifest = node
                    .references
                    .iter()
                    .find_map(|r| platforms.get(r.parent).cloned().flatten());
                let own = from_manifest.or_else(|| self.config_platform(id));
                if let Some(slot) = platforms.get_mut(id) {
                    *slot = own;
                }
            }
        }
        for edge in &self.family.edges {
            if edge.label == EdgeLabel::DiffId {
                let config = platforms.get(edge.from).cloned().flatten();
                for id in [Some(edge.to), self.chain_of(edge.to)].into_iter().flatten() {
                    if let Some(slot) = platforms.get_mut(id) {
                        *slot = config.clone();
                    }
                }
            }
        }
        for (node, platform) in self.family.nodes.iter_mut().zip(platforms) {
            node.platform = platform;
        }
    }

    fn chain_of(&self, diff_id: NodeId) -> Option<NodeId> {
        self.family
            .children(diff_id)
            .find(|e| e.label == EdgeLabel::Chain)
            .map(|e| e.to)
    }

    fn check_layer_counts(&mut self) {
        let mut warnings = Vec::new();
        for (id, node) in self.family.nodes.iter().enumerate() {
            let Some(member) = node.document.and_then(|i| self.members.get(i)) else {
                continue;
            };
            let Body::Manifest { layers, .. } = &member.analysis.body else {
                continue;
            };
            let Some(config) = self.config_of(id) else {
                continue;
            };
            let Some(config_member) = self
                .family
                .nodes
                .get(config)
                .and_then(|c| c.document)
                .and_then(|i| self.members.get(i))
            else {
                continue;
            };
            let Body::Config(image) = &config_member.analysis.body else {
                continue;
            };
            let manifest = member.analysis.digest().clone();
            if layers.len() != image.diff_ids.len() {
                warnings.push(FamilyWarning::LayerCountDiffers {
                    manifest: manifest.clone(),
                    platform: node.platform.as_ref().map(Platform::to_string),
                    layers: layers.len(),
                    diff_ids: image.diff_ids.len(),
                });
            }
            let listed = node.references.iter().find_map(|r| r.platform.as_ref());
            if let (Some(listed), Some(own)) = (listed, image.platform.as_ref()) {
                if listed.os != own.os || listed.architecture != own.architecture {
                    warnings.push(FamilyWarning::PlatformDisagrees {
                        manifest,
                        index_says: listed.to_string(),
                        config_says: own.to_string(),
                    });
                }
            }
        }
        self.family.warnings.extend(warnings);
    }
}
