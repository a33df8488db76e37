//! Building a [`super::Family`]: one node per digest, edges from each document's descriptors,
//! and the mismatches between what a descriptor claims and what the bytes are.

use super::{
    Edge, EdgeLabel, Family, FamilyWarning, Member, Mismatch, Node, NodeId, NodeKey, NodeKind, Reference,
};
use crate::core::descriptor::{Descriptor, Platform, Role};
use crate::core::digest::Digest;
use crate::core::document::{Analysis, Body, Kind};
use crate::core::media_type::MediaType;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

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

pub(super) struct Builder<'m, 'a> {
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
    pub(super) fn new(members: &'m [Member<'a>]) -> Self {
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

    pub(super) fn run(mut self) -> Family {
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
        image: &crate::core::image_config::ImageConfig,
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
