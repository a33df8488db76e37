//! An image's filesystem from its layers, checked against tools outside this project: the images
//! in tests/fixtures/merged/ were written by umoci and buildah (scripts/make-merge-fixtures), and
//! what their merged filesystem is comes from `umoci unpack` (the final rootfs: paths, types,
//! `sha256sum` of regular files) and from scripts/oci-merge (Python's tarfile applying the OCI
//! whiteout rules: the layer that last wrote each path, and what each layer removed).

use digestlens::core::digest::Digest;
use digestlens::core::layer::merge::{merge, merge_capped, Filesystem, Removal};
use digestlens::core::layer::tar::{EntryKind, ListOptions, Listing};
use digestlens::core::layer::tree::{tree, tree_of, Node, Tally};
use digestlens::core::layer::{BlobVerifier, Decoding, LayerClaim, DEFAULT_UNCOMPRESSED_CAP};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn merged_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/merged")
}

#[derive(Deserialize)]
struct Expected {
    images: Vec<Image>,
}

#[derive(Deserialize)]
struct Image {
    layout: String,
    layers: Vec<LayerBlob>,
    rootfs: Vec<RootfsEntry>,
    merge: PythonMerge,
}

#[derive(Deserialize)]
struct LayerBlob {
    digest: String,
}

#[derive(Deserialize)]
struct RootfsEntry {
    path: String,
    kind: String,
    sha256: Option<String>,
}

#[derive(Deserialize)]
struct PythonMerge {
    paths: BTreeMap<String, PythonPath>,
    gone: Vec<PythonGone>,
}

#[derive(Deserialize)]
struct PythonPath {
    layer: usize,
    kind: String,
    sha256: Option<String>,
}

#[derive(Deserialize, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct PythonGone {
    path: String,
    layer: usize,
    by: usize,
    how: String,
}

fn image(layout: &str) -> Image {
    let bytes =
        std::fs::read(merged_dir().join("expected.json")).expect("tests/fixtures/merged/expected.json");
    let expected: Expected =
        serde_json::from_slice(&bytes).expect("expected.json has the make-merge-fixtures layout");
    expected
        .images
        .into_iter()
        .find(|i| i.layout == layout)
        .expect("the image is in expected.json")
}

/// Each layer of `image` read from its OCI layout, verified against its digest and listed.
fn listings(image: &Image) -> Vec<Listing> {
    image
        .layers
        .iter()
        .map(|layer| {
            let hex = layer.digest.trim_start_matches("sha256:");
            let path = merged_dir().join(&image.layout).join("blobs/sha256").join(hex);
            let bytes = std::fs::read(&path).expect("the layer blob is in the layout");
            let claim = LayerClaim {
                media_type: None,
                digest: Some(layer.digest.parse::<Digest>().expect("a digest")),
                size: Some(bytes.len() as u64),
                diff_id: None,
            };
            let mut verifier = BlobVerifier::new(&claim, Decoding::Sniff, DEFAULT_UNCOMPRESSED_CAP)
                .with_listing(ListOptions::default());
            for chunk in bytes.chunks(777) {
                verifier.feed(chunk);
            }
            let (report, listing) = verifier.finish_listed();
            assert_eq!(
                report.digest.map(|d| d.to_string()).as_deref(),
                Some(layer.digest.as_str())
            );
            listing.expect("a listing was asked for")
        })
        .collect()
}

fn merged(image: &Image) -> Filesystem {
    let listings = listings(image);
    merge(&listings.iter().collect::<Vec<_>>())
}

/// Every path of `fs` and the directories above them (tars need not list parents), without ".".
fn with_parents(fs: &Filesystem) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    for path in fs.paths.keys().filter(|p| p.as_str() != ".") {
        let mut at = path.as_str();
        all.insert(at.to_owned());
        while let Some((parent, _)) = at.rsplit_once('/') {
            all.insert(parent.to_owned());
            at = parent;
        }
    }
    all
}

/// The kind and content digest `umoci unpack` shows for a merged path: a hardlink is the file it
/// links to.
fn as_unpacked(fs: &Filesystem, path: &str) -> (String, Option<String>) {
    let Some(entry) = fs.paths.get(path) else {
        return ("dir".to_owned(), None);
    };
    match entry.kind {
        EntryKind::Hardlink => {
            let target = entry.link.as_deref().unwrap_or_default();
            as_unpacked(fs, target.trim_start_matches("./"))
        }
        kind => (
            kind.name().to_owned(),
            entry.digest.as_ref().map(ToString::to_string),
        ),
    }
}

fn assert_matches_umoci_unpack(layout: &str) {
    let image = image(layout);
    let fs = merged(&image);
    let unpacked: BTreeSet<String> = image.rootfs.iter().map(|e| e.path.clone()).collect();
    assert_eq!(
        with_parents(&fs),
        unpacked,
        "{layout}: the merged paths are those umoci unpacks"
    );
    for want in &image.rootfs {
        let (kind, sha256) = as_unpacked(&fs, &want.path);
        assert_eq!(
            (kind.as_str(), sha256.as_deref()),
            (want.kind.as_str(), want.sha256.as_deref()),
            "{layout}: {} as umoci unpack and sha256sum see it",
            want.path
        );
    }
}

fn assert_matches_python(layout: &str) {
    let image = image(layout);
    let fs = merged(&image);
    let ours: BTreeMap<&str, (usize, &str, Option<String>)> = fs
        .paths
        .iter()
        .map(|(p, e)| {
            (
                p.as_str(),
                (e.layer, e.kind.name(), e.digest.as_ref().map(ToString::to_string)),
            )
        })
        .collect();
    let python: BTreeMap<&str, (usize, &str, Option<String>)> = image
        .merge
        .paths
        .iter()
        .map(|(p, e)| (p.as_str(), (e.layer, e.kind.as_str(), e.sha256.clone())))
        .collect();
    assert_eq!(
        ours, python,
        "{layout}: the last writer of each path, as scripts/oci-merge says"
    );
    let mut gone: Vec<PythonGone> = fs
        .gone
        .iter()
        .map(|g| PythonGone {
            path: g.path.clone(),
            layer: g.entry.layer,
            by: g.by,
            how: g.how.slug().to_owned(),
        })
        .collect();
    gone.sort();
    let mut want = image.merge.gone;
    want.sort();
    assert_eq!(
        gone, want,
        "{layout}: what each layer removed, as scripts/oci-merge says"
    );
}

#[test]
fn umoci_deletes_and_rewrites_leave_the_tree_umoci_unpack_extracts() {
    assert_matches_umoci_unpack("umoci-delete");
}

#[test]
fn umoci_deletes_and_rewrites_mark_each_path_with_the_layer_python_says_last_wrote_it() {
    assert_matches_python("umoci-delete");
}

#[test]
fn a_directory_replaced_by_a_file_takes_its_lower_contents_with_it() {
    let fs = merged(&image("umoci-delete"));
    assert_eq!(fs.paths["opt/tool"].kind, EntryKind::File);
    assert_eq!(fs.paths["opt/tool"].layer, 2);
    assert!(!fs.paths.keys().any(|p| p.starts_with("opt/tool/")));
    let shadowed = fs
        .gone
        .iter()
        .find(|g| g.path == "opt/tool")
        .expect("opt/tool was shadowed");
    assert_eq!(
        (shadowed.entry.kind, shadowed.by, shadowed.how),
        (EntryKind::Dir, 2, Removal::Shadowed)
    );
}

#[test]
fn buildah_overlay_opaque_directory_leaves_the_tree_umoci_unpack_extracts() {
    assert_matches_umoci_unpack("buildah-opaque");
}

#[test]
fn buildah_overlay_opaque_directory_hides_the_lower_layers_entries_as_python_says() {
    assert_matches_python("buildah-opaque");
    let fs = merged(&image("buildah-opaque"));
    let hidden: Vec<&str> = fs
        .gone
        .iter()
        .filter(|g| g.how == Removal::Opaque)
        .map(|g| g.path.as_str())
        .collect();
    assert_eq!(hidden, ["d/a", "d/sub", "d/sub/b"]);
    assert_eq!(fs.layers[1].deletions, 1, "one opaque marker");
}

#[test]
fn merged_tree_folds_into_directories_with_the_bytes_below_them() {
    let image = image("umoci-delete");
    let fs = merged(&image);
    let paths: Vec<(&String, &_)> = fs.paths.iter().collect();
    let root = tree_of(paths.iter().enumerate().map(|(i, (p, e))| {
        let tally = match e.kind {
            EntryKind::File => Tally::File(e.size),
            _ => Tally::Other,
        };
        (i, p.as_str(), tally)
    }));
    // What umoci unpack left: the regular files' sizes, from the rootfs listing's paths.
    let etc = root.children.iter().find(|c| c.name == "etc").expect("etc");
    let want: u64 = ["etc/motd", "etc/new", "etc/os-release"]
        .iter()
        .map(|p| fs.paths[*p].size)
        .sum();
    assert_eq!((etc.bytes, etc.files), (want, 3));
    assert_eq!(
        root.files as usize,
        image.rootfs.iter().filter(|e| e.kind == "file").count()
    );
}

#[test]
fn merged_paths_past_the_cap_are_counted_not_kept() {
    let image = image("umoci-delete");
    let listings = listings(&image);
    let full = merge(&listings.iter().collect::<Vec<_>>());
    let capped = merge_capped(&listings.iter().collect::<Vec<_>>(), 5);
    assert_eq!(capped.paths.len(), 5);
    assert!(capped.omitted.paths > 0);
    for (path, entry) in &capped.paths {
        assert_eq!(
            full.paths.get(path),
            Some(entry),
            "{path} kept as the full merge has it"
        );
    }
    assert_eq!(full.paths.len(), image.merge.paths.len());
    assert!(capped.gone.len() <= 5);
    assert_eq!(full.omitted, Default::default());
}

/// Python's tarfile over a layer blob: for "." and every path (and its parents), the regular
/// files' bytes and count at or below it, and the whiteouts (`.wh.` names, opaque markers
/// included) at or below it, as JSON `{path: [bytes, files, deletions]}`.
const TARFILE_COUNTS: &str = r#"
import json, sys, tarfile
counts = {".": [0, 0, 0]}
for m in tarfile.open(sys.argv[1], "r:*"):
    parts = [p for p in m.name.split("/") if p not in ("", ".")]
    nodes = ["."] + ["/".join(parts[:i + 1]) for i in range(len(parts))]
    deletion = bool(parts) and parts[-1].startswith(".wh.")
    for node in nodes:
        c = counts.setdefault(node, [0, 0, 0])
        if deletion:
            c[2] += 1
        elif m.isfile():
            c[0] += m.size
            c[1] += 1
print(json.dumps(counts))
"#;

fn flatten(node: &Node, into: &mut BTreeMap<String, [u64; 3]>) {
    into.insert(node.path.clone(), [node.bytes, node.files, node.deletions]);
    for child in &node.children {
        flatten(child, into);
    }
}

/// A whiteout is an empty regular file in the tar, but it deletes: the tree counts it as a
/// deletion only, at the root and in every directory above it (`demo/delete:1` layer 1 adds two
/// files and deletes three paths; `var` holds nothing but `.wh.lib`).
#[test]
fn whiteouts_count_as_deletions_not_as_files() {
    let image = image("umoci-delete");
    for (listing, layer) in listings(&image).iter().zip(&image.layers) {
        let hex = layer.digest.trim_start_matches("sha256:");
        let blob = merged_dir().join(&image.layout).join("blobs/sha256").join(hex);
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg(TARFILE_COUNTS)
            .arg(&blob)
            .output()
            .expect("python3 runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let want: BTreeMap<String, [u64; 3]> =
            serde_json::from_slice(&out.stdout).expect("the script prints JSON");
        let mut got = BTreeMap::new();
        flatten(&tree(listing.entries.iter().enumerate()), &mut got);
        assert_eq!(got, want, "layer {}", layer.digest);
    }
    let layer1 = &listings(&image)[1];
    let root = tree(layer1.entries.iter().enumerate());
    assert_eq!((root.bytes, root.files, root.deletions), (32, 2, 3));
}
