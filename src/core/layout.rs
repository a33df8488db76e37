//! Where each node of a [`Family`] goes on the map. The UI only draws what this computes.
//!
//! Columns by kind, left to right: index, manifests, layer blobs, config with its diff_ids
//! (indented under it), chain IDs. Rows follow the walk: a manifest takes a row with its config
//! beside it, then one row per layer, so layer blob i, diff_id i and chain ID i sit side by side.
//! Big families stay usable: platforms beyond [`Limits::platforms`] and layers beyond
//! [`Limits::layers`] fold into one "more" box until the user opens that group.

use super::graph::{EdgeLabel, Family, Node, NodeId, NodeKey, NodeKind};
use std::collections::HashSet;

pub const NODE_W: u32 = 160;
pub const NODE_H: u32 = 40;
pub const ROW_H: u32 = 52;
pub const COL_GAP: u32 = 44;
/// Room left of the first column for edges between boxes of the same column.
pub const MARGIN: u32 = 20;
/// Room above the first row for the column titles.
pub const TOP: u32 = 28;
/// How far diff_ids sit right of their config, so the config's edges run down beside them.
pub const INDENT: u32 = 20;
const COLUMNS: u32 = 5;
/// How far left of its target's column an edge turns.
const BUS: u32 = 12;
/// Nested indexes deeper than this start a new walk instead of recursing further.
const MAX_DEPTH: usize = 32;

const COLUMN_TITLES: [&str; COLUMNS as usize] = [
    "Index",
    "Manifests",
    "Layer blobs (compressed)",
    "Config = Image ID · diff_ids",
    "Chain IDs",
];

/// How many children show before the rest fold into a "more" box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub platforms: usize,
    pub layers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            platforms: 12,
            layers: 8,
        }
    }
}

/// What a group folds: an index's entries or an image's layer rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fold {
    Entries,
    Layers,
}

/// A foldable group, named by its parent so it stays open across rebuilds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupKey {
    pub parent: NodeKey,
    pub fold: Fold,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct More {
    pub key: GroupKey,
    /// How many children the group holds beyond the limit.
    pub beyond: usize,
    pub open: bool,
}

impl More {
    pub fn label(&self) -> String {
        let what = match self.key.fold {
            Fold::Entries => "entries",
            Fold::Layers => "layers",
        };
        if self.open {
            format!("Fold the last {} {what}", self.beyond)
        } else {
            format!("+{} more {what}: show them", self.beyond)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    Node(NodeId),
    More(More),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedBox {
    pub slot: Slot,
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    /// The SVG `text-anchor` value.
    pub fn svg(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelAt {
    pub x: u32,
    pub y: u32,
    pub anchor: Anchor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedEdge {
    /// Positions in [`Layout::boxes`].
    pub from: usize,
    pub to: usize,
    pub label: EdgeLabel,
    /// A polyline of right angles, from the source box to the target box.
    pub points: Vec<(u32, u32)>,
    /// Where the label word is written; `None` for the repeats of a group (one word per fan).
    pub label_at: Option<LabelAt>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub x: u32,
    pub title: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    pub width: u32,
    pub height: u32,
    pub boxes: Vec<PlacedBox>,
    pub edges: Vec<PlacedEdge>,
    /// Titles of the columns that hold a box.
    pub columns: Vec<Column>,
}

impl Layout {
    /// The box drawn for a node, if it is shown.
    pub fn box_of(&self, node: NodeId) -> Option<&PlacedBox> {
        self.boxes.iter().find(|b| b.slot == Slot::Node(node))
    }
}

pub fn column_x(column: u32) -> u32 {
    MARGIN + column * (NODE_W + COL_GAP)
}

fn column_of(kind: NodeKind) -> u32 {
    match kind {
        NodeKind::Index => 0,
        NodeKind::Manifest => 1,
        NodeKind::Layer | NodeKind::Blob => 2,
        NodeKind::Config | NodeKind::DiffId => 3,
        NodeKind::ChainId => 4,
    }
}

/// Lays `family` out; `open` holds the groups the user unfolded.
pub fn layout(family: &Family, limits: Limits, open: &HashSet<GroupKey>) -> Layout {
    let mut placer = Placer {
        family,
        limits,
        open,
        at: vec![None; family.nodes.len()],
        folded: vec![false; family.nodes.len()],
        boxes: Vec::new(),
        more_edges: Vec::new(),
        rows: 0,
    };
    for &root in &family.roots {
        placer.root(root);
    }
    // Whatever no walk reached in place (a subject elsewhere, an index nested too deep) starts
    // a walk of its own, unless a folded group holds it.
    for id in 0..family.nodes.len() {
        placer.root(id);
    }
    placer.finish()
}

/// `open` with the groups that fold `node` opened too, so a box selected from outside the
/// picture (a link, the "which digest" box) is drawn. Only groups under an ancestor of `node` are
/// opened; nested folds (a config inside a folded platform) open round by round.
pub fn reveal(family: &Family, limits: Limits, open: &HashSet<GroupKey>, node: NodeId) -> HashSet<GroupKey> {
    let ancestors = ancestors(family, node);
    let mut open = open.clone();
    // Each round opens at least one group or stops, and a family has fewer groups than nodes.
    for _ in 0..=family.nodes.len() {
        let drawn = layout(family, limits, &open);
        if drawn.box_of(node).is_some() {
            break;
        }
        let folding: Vec<GroupKey> = drawn
            .boxes
            .iter()
            .filter_map(|b| match &b.slot {
                Slot::More(more)
                    if !more.open
                        && family
                            .node_id(&more.key.parent)
                            .is_some_and(|parent| ancestors.contains(&parent)) =>
                {
                    Some(more.key.clone())
                }
                _ => None,
            })
            .collect();
        if folding.is_empty() {
            break;
        }
        open.extend(folding);
    }
    open
}

/// Every node with a path of edges to `node`.
fn ancestors(family: &Family, node: NodeId) -> HashSet<NodeId> {
    let mut found = HashSet::new();
    let mut stack = vec![node];
    while let Some(id) = stack.pop() {
        for edge in family.edges.iter().filter(|e| e.to == id) {
            if found.insert(edge.from) {
                stack.push(edge.from);
            }
        }
    }
    found
}

struct Placer<'f> {
    family: &'f Family,
    limits: Limits,
    open: &'f HashSet<GroupKey>,
    /// The box of each node, once placed.
    at: Vec<Option<usize>>,
    /// Nodes held by a folded group: not drawn unless an open parent draws them.
    folded: Vec<bool>,
    boxes: Vec<PlacedBox>,
    /// Edges from a parent to its "more" box: (parent box, more box, label).
    more_edges: Vec<(usize, usize, EdgeLabel)>,
    rows: u32,
}

impl Placer<'_> {
    fn root(&mut self, id: NodeId) {
        if self.is_free(id) && !self.folded.get(id).copied().unwrap_or(true) {
            self.rows = self.place(id, self.rows, 0);
        }
    }

    /// Not drawn yet. A folded node is still free: another, open parent may draw it.
    fn is_free(&self, id: NodeId) -> bool {
        self.at.get(id).is_some_and(Option::is_none)
    }

    fn kind(&self, id: NodeId) -> Option<NodeKind> {
        self.family.node(id).map(|n| n.kind)
    }

    /// Puts a box in the grid; a node already drawn keeps its first box.
    fn put(&mut self, slot: Slot, column: u32, row: u32, indent: u32, span: u32) -> usize {
        if let Slot::Node(id) = slot {
            if let Some(&Some(placed)) = self.at.get(id) {
                return placed;
            }
        }
        let x = column_x(column) + indent;
        let w = column_x(column + span - 1) + NODE_W - x;
        let y = TOP + row * ROW_H + (ROW_H - NODE_H) / 2;
        if let Slot::Node(id) = slot {
            if let Some(at) = self.at.get_mut(id) {
                *at = Some(self.boxes.len());
            }
        }
        self.boxes.push(PlacedBox {
            slot,
            x,
            y,
            w,
            h: NODE_H,
        });
        self.boxes.len() - 1
    }

    /// Places `id` at `row` and whatever hangs under it; returns the next free row.
    fn place(&mut self, id: NodeId, row: u32, depth: usize) -> u32 {
        match self.kind(id) {
            Some(NodeKind::Index) => self.index(id, row, depth),
            Some(NodeKind::Manifest) => self.manifest(id, row),
            Some(NodeKind::Config) => {
                self.put(Slot::Node(id), 3, row, 0, 1);
                self.layer_rows(id, row + 1, &[], Some(id))
            }
            Some(kind) => {
                let indent = if kind == NodeKind::DiffId { INDENT } else { 0 };
                self.put(Slot::Node(id), column_of(kind), row, indent, 1);
                row + 1
            }
            None => row,
        }
    }

    /// The free children of `id` along edges labelled `labels`, in document order. The family
    /// holds one edge per (parent, child, label); a child listed under two labels is placed once
    /// because every placement checks [`Placer::is_free`] again.
    fn free_children(&self, id: NodeId, labels: &[EdgeLabel]) -> Vec<NodeId> {
        self.family
            .children(id)
            .filter(|e| labels.contains(&e.label) && self.is_free(e.to))
            .map(|e| e.to)
            .collect()
    }

    fn group(&self, parent: NodeId, fold: Fold, count: usize, limit: usize) -> Option<More> {
        let key = GroupKey {
            parent: self.family.node(parent)?.key.clone(),
            fold,
        };
        // Folding a single child would save nothing: its "more" box takes its row.
        (count > limit + 1).then(|| More {
            open: self.open.contains(&key),
            key,
            beyond: count - limit,
        })
    }

    /// Marks `ids` and everything under them as held by a folded group.
    fn fold(&mut self, ids: &[NodeId]) {
        let mut stack = ids.to_vec();
        while let Some(id) = stack.pop() {
            match self.folded.get_mut(id) {
                Some(folded) if !*folded => *folded = true,
                _ => continue,
            }
            stack.extend(self.family.children(id).map(|e| e.to));
        }
    }

    fn index(&mut self, id: NodeId, row: u32, depth: usize) -> u32 {
        let indent = INDENT * depth.min(2) as u32;
        let own = self.put(Slot::Node(id), 0, row, indent, 1);
        if depth >= MAX_DEPTH {
            return row + 1;
        }
        let entries = self.free_children(id, &[EdgeLabel::Lists]);
        let more = self.group(id, Fold::Entries, entries.len(), self.limits.platforms);
        let shown = match &more {
            Some(m) if !m.open => self.limits.platforms,
            _ => entries.len(),
        };
        if let Some(hidden) = entries.get(shown..) {
            self.fold(hidden);
        }
        let mut next = row;
        for &entry in entries.iter().take(shown) {
            if self.is_free(entry) {
                if self.kind(entry) == Some(NodeKind::Index) {
                    // A nested index shares column 0 with its parent: it goes below it.
                    next = next.max(row + 1);
                }
                next = self.place(entry, next, depth + 1);
            }
        }
        if let Some(more) = more {
            let more_box = self.put(Slot::More(more), 1, next, 0, 1);
            self.more_edges.push((own, more_box, EdgeLabel::Lists));
            next += 1;
        }
        next.max(row + 1)
    }

    fn manifest(&mut self, id: NodeId, row: u32) -> u32 {
        self.put(Slot::Node(id), 1, row, 0, 1);
        let config = self
            .free_children(id, &[EdgeLabel::Config])
            .into_iter()
            .find(|&c| self.kind(c) == Some(NodeKind::Config));
        if let Some(config) = config {
            self.put(Slot::Node(config), 3, row, 0, 1);
        }
        let layers = self.free_children(id, &[EdgeLabel::Layer, EdgeLabel::Blob]);
        self.layer_rows(id, row + 1, &layers, config)
    }

    /// Rows of layer blob i, diff_id i and chain ID i, folded beyond the limit.
    fn layer_rows(&mut self, owner: NodeId, row: u32, layers: &[NodeId], config: Option<NodeId>) -> u32 {
        let diff_ids = config.map_or_else(Vec::new, |c| self.free_children(c, &[EdgeLabel::DiffId]));
        let chains: Vec<Option<NodeId>> = diff_ids
            .iter()
            .map(|&d| {
                self.free_children(d, &[EdgeLabel::Chain])
                    .into_iter()
                    .find(|&c| self.kind(c) == Some(NodeKind::ChainId))
            })
            .collect();
        let count = layers.len().max(diff_ids.len());
        let more = self.group(owner, Fold::Layers, count, self.limits.layers);
        let shown = match &more {
            Some(m) if !m.open => self.limits.layers,
            _ => count,
        };
        for i in shown..count {
            let hidden = [
                layers.get(i),
                diff_ids.get(i),
                chains.get(i).and_then(Option::as_ref),
            ];
            let hidden: Vec<NodeId> = hidden.into_iter().flatten().copied().collect();
            self.fold(&hidden);
        }
        for i in 0..shown {
            let r = row + i as u32;
            if let Some(&layer) = layers.get(i) {
                self.put(Slot::Node(layer), 2, r, 0, 1);
            }
            if let Some(&diff_id) = diff_ids.get(i) {
                self.put(Slot::Node(diff_id), 3, r, INDENT, 1);
            }
            if let Some(&chain) = chains.get(i).and_then(Option::as_ref) {
                self.put(Slot::Node(chain), 4, r, 0, 1);
            }
        }
        let mut next = row + shown as u32;
        if let Some(more) = more {
            let owner_box = self.at.get(owner).copied().flatten();
            let more_box = self.put(Slot::More(more), 2, next, 0, 3);
            if let Some(owner_box) = owner_box {
                self.more_edges.push((owner_box, more_box, EdgeLabel::Layer));
            }
            next += 1;
        }
        next
    }

    fn node_in(&self, placed: usize) -> Option<&Node> {
        match self.boxes.get(placed)?.slot {
            Slot::Node(id) => self.family.node(id),
            Slot::More(_) => None,
        }
    }

    fn finish(self) -> Layout {
        let mut edges = Vec::new();
        // Per box, a bit per label already written on an edge leaving it.
        let mut labelled = vec![0u8; self.boxes.len()];
        let drawn = self.family.edges.iter().filter_map(|e| {
            let from = self.at.get(e.from).copied().flatten()?;
            let to = self.at.get(e.to).copied().flatten()?;
            Some((from, to, e.label))
        });
        for (from, to, label) in drawn.chain(self.more_edges.iter().copied()) {
            let (Some(a), Some(b)) = (self.boxes.get(from), self.boxes.get(to)) else {
                continue;
            };
            let (points, at) = route(a, b, label);
            // One word per fan: the first edge of each label leaving a box; for chain IDs, only
            // the first diff_id → chain ID edge of an image.
            let first = match label {
                EdgeLabel::Chain => a.x < b.x && self.node_in(to).and_then(Node::layer_index) == Some(0),
                _ => labelled.get_mut(from).is_some_and(|bits| {
                    let bit = 1 << (label as u8);
                    let first = *bits & bit == 0;
                    *bits |= bit;
                    first
                }),
            };
            edges.push(PlacedEdge {
                from,
                to,
                label,
                points,
                label_at: first.then_some(at),
            });
        }
        let used: HashSet<u32> = self
            .boxes
            .iter()
            .flat_map(|b| {
                (0..COLUMNS).filter(move |&c| b.x < column_x(c) + NODE_W && b.x + b.w > column_x(c))
            })
            .collect();
        let columns = (0..COLUMNS)
            .filter(|c| used.contains(c))
            .filter_map(|c| {
                Some(Column {
                    x: column_x(c),
                    title: COLUMN_TITLES.get(c as usize)?,
                })
            })
            .collect();
        Layout {
            width: column_x(COLUMNS - 1) + NODE_W + MARGIN,
            height: TOP + self.rows * ROW_H + MARGIN,
            boxes: self.boxes,
            edges,
            columns,
        }
    }
}

/// Right-angled edges: through the gap left of the target's column, then along it. A config's
/// diff_id edges run down beside the indented diff_ids; consecutive chain IDs join vertically;
/// an edge to the same or an earlier column runs through the margin on the left.
fn route(a: &PlacedBox, b: &PlacedBox, label: EdgeLabel) -> (Vec<(u32, u32)>, LabelAt) {
    let (ay, by) = (a.y + a.h / 2, b.y + b.h / 2);
    let a_right = a.x + a.w;
    let at = |x, y, anchor| LabelAt { x, y, anchor };
    if label == EdgeLabel::DiffId && b.x > a.x && b.x < a_right && b.y > a.y {
        let bus = a.x + INDENT / 2;
        let points = vec![(bus, a.y + a.h), (bus, by), (b.x, by)];
        return (points, at(a.x.saturating_sub(4), by + 4, Anchor::End));
    }
    if label == EdgeLabel::Chain && b.x == a.x && b.y > a.y {
        let x = a.x + a.w / 2;
        let points = vec![(x, a.y + a.h), (x, b.y)];
        return (points, at(x + 4, b.y.saturating_sub(2), Anchor::Start));
    }
    if b.x >= a_right {
        if ay == by {
            return (
                vec![(a_right, ay), (b.x, by)],
                at((a_right + b.x) / 2, ay.saturating_sub(4), Anchor::Middle),
            );
        }
        // The turn sits close to the target, leaving room under the first stretch for the word.
        let mid = b.x.saturating_sub(BUS);
        let points = vec![(a_right, ay), (mid, ay), (mid, by), (b.x, by)];
        return (points, at(a_right + 3, ay + 12, Anchor::Start));
    }
    let left = a.x.min(b.x).saturating_sub(MARGIN / 2);
    let points = vec![(a.x, ay), (left, ay), (left, by), (b.x, by)];
    (points, at(b.x + 4, b.y.saturating_sub(2), Anchor::Start))
}
