//! The relationship map: every loaded document and every digest they list, as one SVG picture.
//! The core builds the family ([`Family::build`]) and places every box and edge ([`layout`]);
//! this component only draws them and keeps which groups are open. The selected box lives in the
//! workspace's view, so a link carries it.

use super::map_details::MapDetails;
use super::which_digest::WhichDigest;
use crate::core::graph::{Family, Node, NodeId, NodeKey, NodeState};
use crate::core::layout::{self, GroupKey, Layout, Limits, More, PlacedBox, Slot};
use crate::ui::state::DocumentList;
use std::collections::HashSet;
use wasm_bindgen::JsCast;
use web_sys::{Element, EventTarget};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FamilyMapProps {
    pub documents: DocumentList,
    /// The selected box: kept in the workspace's view, so a link carries it.
    pub selected: Option<NodeKey>,
    pub on_select: Callback<NodeKey>,
}

/// A size short enough for a box: "604 B", "1.2 KiB".
fn short_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS.get(unit).unwrap_or(&"TiB"))
}

/// Cuts `text` to `max` characters with an ellipsis; the full text stays in the box's tooltip.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[function_component(FamilyMap)]
pub fn family_map(props: &FamilyMapProps) -> Html {
    let open = use_state(HashSet::<GroupKey>::new);
    // Keyed by the documents' identity: the pasted document keeps its id while the user types,
    // but every edit is a new `Rc`, so the map follows the text.
    let documents_key = props.documents.clone();
    let family = {
        let documents = props.documents.clone();
        use_memo(documents_key.clone(), move |_| {
            let names = documents.names();
            Family::build(&documents.members(&names))
        })
    };
    let drawn = {
        let family = family.clone();
        use_memo((documents_key, (*open).clone()), move |(_, open)| {
            layout::layout(&family, Limits::default(), open)
        })
    };
    let on_select = props.on_select.clone();
    // A box selected from outside the picture (a link, the "which digest" box) may sit in a folded
    // group: open what folds it. Only a new selection or new documents do this, so the user can
    // fold the group again.
    {
        let open = open.clone();
        let family = family.clone();
        use_effect_with(
            (props.selected.clone(), props.documents.clone()),
            move |(selected, _)| {
                if let Some(id) = selected.as_ref().and_then(|key| family.node_id(key)) {
                    let revealed = layout::reveal(&family, Limits::default(), &open, id);
                    if revealed != *open {
                        open.set(revealed);
                    }
                }
            },
        );
    }
    let on_pick = {
        let family = family.clone();
        let on_select = on_select.clone();
        Callback::from(move |id: NodeId| {
            if let Some(node) = family.node(id) {
                on_select.emit(node.key.clone());
            }
        })
    };
    let on_toggle = {
        let open = open.clone();
        Callback::from(move |key: GroupKey| {
            let mut next = (*open).clone();
            if !next.remove(&key) {
                next.insert(key);
            }
            open.set(next);
        })
    };
    let digests = {
        let mut all: Vec<_> = family.nodes.iter().filter_map(|n| n.digest.as_ref()).collect();
        all.sort();
        all.dedup();
        all.len()
    };

    html! {
        <section class="family-map" aria-labelledby="map-title" data-testid="family-map">
            <h2 id="map-title">{ "Relationship map" }</h2>
            <p class="muted">
                { format!("{} document(s) loaded, {digests} digest(s) on the map. A dashed box is listed but not loaded: \
                   add that document (a file, a paste) to check it. Click a box, or focus it and press Enter, for its details \
                   and the commands that show the same digest.", props.documents.0.len()) }
            </p>
            <WhichDigest family={family.clone()} documents={props.documents.clone()} on_select={on_select.clone()} />
            if !family.warnings.is_empty() {
                <ul class="findings" data-testid="map-warnings">
                    { for family.warnings.iter().map(|w| html! { <li class="warning">{ w.to_string() }</li> }) }
                </ul>
            }
            <ul class="map-legend" aria-label="Legend">
                { for [NodeState::Resolved, NodeState::NotLoaded, NodeState::Mismatch, NodeState::Derived].into_iter().map(|s| html! {
                    <li class={classes!("legend", s.slug())}><span class="swatch" aria-hidden="true"></span>{ NodeState::words(s) }</li>
                }) }
            </ul>
            <div class="map-scroll">
                { picture(&family, &drawn, props.selected.as_ref(), &on_pick, &on_toggle) }
            </div>
            if let Some(key) = props.selected.clone() {
                <MapDetails family={family.clone()} documents={props.documents.clone()} selected={key} />
            }
        </section>
    }
}

/// The node whose box holds `target` (a box carries its node's position as `data-node`).
fn picked(target: Option<EventTarget>) -> Option<NodeId> {
    let element = target?.dyn_into::<Element>().ok()?;
    let node = element.closest("[data-node]").ok()??;
    node.get_attribute("data-node")?.parse().ok()
}

fn picture(
    family: &Family,
    drawn: &Layout,
    selected: Option<&NodeKey>,
    on_pick: &Callback<NodeId>,
    on_toggle: &Callback<GroupKey>,
) -> Html {
    let digest_at = |placed: usize| -> String {
        match drawn.boxes.get(placed).map(|b| &b.slot) {
            Some(Slot::Node(id)) => family
                .node(*id)
                .and_then(|n| n.digest.as_ref())
                .map_or_else(String::new, ToString::to_string),
            _ => String::new(),
        }
    };
    // Keys let Yew move the boxes that stay when a group opens instead of redrawing them all.
    let box_key = |placed: usize| -> String {
        match drawn.boxes.get(placed).map(|b| &b.slot) {
            Some(Slot::Node(id)) => format!("n{id}"),
            Some(Slot::More(more)) => format!("m{:?}{:?}", family.node_id(&more.key.parent), more.key.fold),
            None => String::new(),
        }
    };
    // One listener for all boxes (a big map has thousands): the box is found from the event target.
    let on_click = {
        let on_pick = on_pick.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(id) = picked(e.target()) {
                on_pick.emit(id);
            }
        })
    };
    let on_key = {
        let on_pick = on_pick.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                if let Some(id) = picked(e.target()) {
                    e.prevent_default();
                    on_pick.emit(id);
                }
            }
        })
    };
    let view_box = format!("0 0 {} {}", drawn.width, drawn.height);
    html! {
        <svg data-testid="map" class="map" role="group" aria-label="Relationship map of the loaded documents"
            width={drawn.width.to_string()} height={drawn.height.to_string()} viewBox={view_box}>
            <defs>
                <marker id="map-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M0,0 L8,4 L0,8 z" class="arrow" />
                </marker>
            </defs>
            { for drawn.columns.iter().map(|c| html! {
                <text class="map-column" x={c.x.to_string()} y="16">{ c.title }</text>
            }) }
            <g class="edges">
                { for drawn.edges.iter().map(|e| {
                    let d = e.points.iter().enumerate().map(|(i, (x, y))| {
                        format!("{}{x},{y}", if i == 0 { "M" } else { " L" })
                    }).collect::<String>();
                    html! {
                        <path key={format!("{}-{}-{}", box_key(e.from), box_key(e.to), e.label.slug())}
                            data-testid="map-edge" data-label={e.label.slug()} data-from={digest_at(e.from)}
                            data-to={digest_at(e.to)} class={classes!("edge", e.label.slug())}
                            d={d} marker-end="url(#map-arrow)" />
                    }
                }) }
            </g>
            <g class="edge-labels" aria-hidden="true">
                { for drawn.edges.iter().filter_map(|e| e.label_at.map(|at| html! {
                    <text x={at.x.to_string()} y={at.y.to_string()} text-anchor={at.anchor.svg()}>{ e.label.slug() }</text>
                })) }
            </g>
            <g class="nodes" onclick={on_click} onkeydown={on_key}>
                { for drawn.boxes.iter().enumerate().map(|(i, b)| match &b.slot {
                    Slot::Node(id) => family.node(*id).map_or_else(|| html! {}, |node| {
                        node_box(box_key(i), *id, node, b, selected == Some(&node.key))
                    }),
                    Slot::More(more) => more_box(box_key(i), more, b, on_toggle),
                }) }
            </g>
        </svg>
    }
}

fn node_box(key: String, id: NodeId, node: &Node, b: &PlacedBox, selected: bool) -> Html {
    let state = node.state();
    let title = node.title();
    let digest = node.digest.as_ref().map_or_else(String::new, ToString::to_string);
    let short = node
        .digest
        .as_ref()
        .map_or_else(|| "no digest".to_owned(), |d| d.short().to_owned());
    let size = node.size.map(short_size);
    let sub = match &size {
        Some(size) => format!("{short} · {size}"),
        None => short,
    };
    // About 6.5 px per character at the sizes style.css sets; a mismatch badge takes two.
    let chars = ((b.w.saturating_sub(16) * 2 / 13) as usize).max(4);
    let title_chars = if state == NodeState::Mismatch {
        chars - 2
    } else {
        chars
    };
    let (shown_title, shown_sub) = (fit(&title, title_chars), fit(&sub, chars));
    // The accessible name is the visible text (WCAG 2.5.3, label in name); the description says
    // the rest: the whole title and digest, the size and whether the document is loaded.
    let dom_id = format!("map-node-{id}");
    let description = format!(
        "{title}, {}, {}{}",
        if digest.is_empty() { "no digest" } else { &digest },
        size.map_or_else(String::new, |s| format!("{s}, ")),
        NodeState::words(state)
    );
    html! {
        <g {key} data-testid="map-node" data-node={id.to_string()} data-digest={digest} data-kind={node.kind.slug()}
            data-state={state.slug()} class={classes!("map-node", state.slug(), selected.then_some("selected"))}
            transform={format!("translate({},{})", b.x, b.y)} tabindex="0" role="button"
            aria-labelledby={format!("{dom_id}-t {dom_id}-s")} aria-description={description}
            aria-pressed={selected.to_string()}>
            <rect width={b.w.to_string()} height={b.h.to_string()} rx="6" />
            <text id={format!("{dom_id}-t")} class="title" x="8" y="16">
                // A trailing space keeps the two lines two words apart in the text a screen reader
                // or checker reads (SVG text nodes are otherwise joined with nothing between).
                { format!("{shown_title} ") }
            </text>
            <text id={format!("{dom_id}-s")} class="sub" x="8" y="32">{ shown_sub }</text>
            if state == NodeState::Mismatch {
                <text class="badge" x={b.w.saturating_sub(8).to_string()} y="16" text-anchor="end">{ "≠" }</text>
            }
        </g>
    }
}

fn more_box(key: String, more: &More, b: &PlacedBox, on_toggle: &Callback<GroupKey>) -> Html {
    let toggle = {
        let on_toggle = on_toggle.clone();
        let key = more.key.clone();
        move || on_toggle.emit(key.clone())
    };
    let onclick = {
        let toggle = toggle.clone();
        Callback::from(move |_: MouseEvent| toggle())
    };
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            toggle();
        }
    });
    let label = more.label();
    html! {
        <g {key} data-testid="map-more" class="map-more" transform={format!("translate({},{})", b.x, b.y)} tabindex="0"
            role="button" aria-expanded={more.open.to_string()} aria-label={label.clone()} {onclick} {onkeydown}>
            <rect width={b.w.to_string()} height={b.h.to_string()} rx="6" />
            <text x={(b.w / 2).to_string()} y="25" text-anchor="middle">{ label }</text>
        </g>
    }
}
