//! One tar entry as a listing row: name, type, size, mode, owner, mtime, link target, sha256, and
//! what a whiteout deletes.

use super::human_size;
use crate::core::layer::tar::{Entry, EntryKind, Whiteout};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FileRowProps {
    pub entry: Entry,
    /// Show the whole path (a flat, filtered list) rather than the last component (a tree).
    pub full_path: bool,
}

/// `rwxr-xr-x`-style permissions, with set-id and sticky bits as `ls -l` shows them.
pub fn mode_text(kind: EntryKind, mode: u32) -> String {
    let kind = match kind {
        EntryKind::Dir => 'd',
        EntryKind::Symlink => 'l',
        EntryKind::CharDevice => 'c',
        EntryKind::BlockDevice => 'b',
        EntryKind::Fifo => 'p',
        EntryKind::File | EntryKind::Hardlink | EntryKind::Other(_) => '-',
    };
    let bit = |mask: u32, c: char| if mode & mask != 0 { c } else { '-' };
    let exec = |x: u32, special: u32, set: char, unset: char| match (mode & x != 0, mode & special != 0) {
        (true, true) => set,
        (false, true) => unset,
        (true, false) => 'x',
        (false, false) => '-',
    };
    [
        kind,
        bit(0o400, 'r'),
        bit(0o200, 'w'),
        exec(0o100, 0o4000, 's', 'S'),
        bit(0o040, 'r'),
        bit(0o020, 'w'),
        exec(0o010, 0o2000, 's', 'S'),
        bit(0o004, 'r'),
        bit(0o002, 'w'),
        exec(0o001, 0o1000, 't', 'T'),
    ]
    .iter()
    .collect()
}

/// An mtime as UTC date and time (seconds since the epoch, as tar stores it).
fn date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[function_component(FileRow)]
pub fn file_row(props: &FileRowProps) -> Html {
    let e = &props.entry;
    let name = if props.full_path {
        e.path.clone()
    } else {
        e.path.rsplit('/').next().unwrap_or(&e.path).to_owned()
    };
    let deleted = e.whiteout.is_some();
    let pax = e
        .pax
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    html! {
        <div class={classes!("layer-file", deleted.then_some("deleted"), e.escapes.then_some("escapes"))}
            data-testid="layer-file" data-path={e.path.clone()} data-kind={e.kind.name()}
            data-size={e.size.to_string()} data-digest={e.digest.as_ref().map(ToString::to_string)}>
            <span class="layer-file-name">{ name }</span>
            { match &e.whiteout {
                Some(Whiteout::Delete(path)) => html! { <span class="layer-file-deletes">{ format!("deletes {path}") }</span> },
                Some(Whiteout::Opaque(dir)) => html! { <span class="layer-file-deletes">{ format!("hides everything lower layers hold in {dir}/") }</span> },
                None => Html::default(),
            } }
            if let Some(link) = &e.link {
                <span class="layer-file-link">{ format!("→ {link}") }</span>
            }
            <span class="layer-file-mode">{ mode_text(e.kind, e.mode) }</span>
            <span class="layer-file-owner">{ format!("{}:{}", if e.uname.is_empty() { e.uid.to_string() } else { e.uname.clone() }, if e.gname.is_empty() { e.gid.to_string() } else { e.gname.clone() }) }</span>
            if e.kind == EntryKind::File {
                <span class="layer-file-size">{ human_size(e.size) }</span>
            }
            <span class="layer-file-mtime">{ date(e.mtime.secs) }</span>
            if let Some(digest) = &e.digest {
                <code class="layer-file-digest" title={digest.to_string()}>{ digest.short().to_owned() }</code>
            }
            if !pax.is_empty() {
                <span class="layer-file-pax" title={pax}>{ "PAX" }</span>
            }
            if e.escapes {
                <span class="error">{ "path leaves the layer root" }</span>
            }
        </div>
    }
}
