//! Our sha256 digest of real documents must equal the digest someone else computed for the same
//! bytes: the Docker-Content-Digest a real registry (distribution 2.8.2) sent with them, and the
//! digests containers/image's own Go tests assert for its fixtures. The expected values live in the
//! fixture indexes (`tests/fixtures/*/fixtures.json`), written by `scripts/make-fixtures` and copied
//! from upstream; `tests/fixtures/README.md` says how each was made.

use digestlens::core::digest::Digest;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn parse_digest(text: &str, context: &str) -> Digest {
    text.parse()
        .unwrap_or_else(|e| panic!("{context}: {text:?} is not a digest: {e}"))
}

#[derive(Deserialize)]
struct RegistryIndex {
    files: Vec<RegistryFile>,
}

/// One response saved by `scripts/make-fixtures`, with the headers the registry sent.
#[derive(Deserialize)]
struct RegistryFile {
    path: String,
    role: String,
    docker_content_digest: String,
}

impl RegistryFile {
    /// Distribution signs a fresh schema 1 manifest on every GET and reports the digest of the
    /// signed payload (signatures removed), so the digest of the served bytes is not comparable
    /// to its Docker-Content-Digest; those files are for the schema 1 payload tests.
    fn is_schema1(&self) -> bool {
        self.role == "schema1"
    }
}

fn registry_fixtures() -> (PathBuf, Vec<RegistryFile>) {
    let dir = fixtures_dir().join("registry");
    let index: RegistryIndex = serde_json::from_slice(&read(&dir.join("fixtures.json")))
        .expect("tests/fixtures/registry/fixtures.json has the make-fixtures layout");
    (dir, index.files)
}

#[test]
fn registry_documents_hash_to_the_docker_content_digest_the_registry_sent() {
    let (dir, files) = registry_fixtures();
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for file in files.iter().filter(|f| !f.is_schema1()) {
        let expected = parse_digest(&file.docker_content_digest, &file.path);
        let actual = Digest::sha256(&read(&dir.join(&file.path)));
        if actual != expected {
            mismatches.push(format!(
                "{} ({}): registry sent {expected}, we computed {actual}",
                file.path, file.role
            ));
        }
        checked += 1;
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    let roles: BTreeSet<&str> = files.iter().map(|f| f.role.as_str()).collect();
    for role in ["index", "manifest", "config", "layer"] {
        assert!(roles.contains(role), "no {role} fixture was checked");
    }
    assert!(checked >= 30, "only {checked} registry fixtures were checked");
}

#[test]
fn schema1_responses_keep_the_registry_digest_although_their_bytes_differ() {
    let (dir, files) = registry_fixtures();
    let schema1: Vec<&RegistryFile> = files.iter().filter(|f| f.is_schema1()).collect();
    let [first, second] = schema1.as_slice() else {
        panic!("expected two schema1 GETs, found {}", schema1.len());
    };
    assert_eq!(first.docker_content_digest, second.docker_content_digest);
    let (first_bytes, second_bytes) = (read(&dir.join(&first.path)), read(&dir.join(&second.path)));
    assert_ne!(first_bytes, second_bytes, "each GET carries a fresh signature");
    let reported = parse_digest(&first.docker_content_digest, &first.path);
    assert_ne!(Digest::sha256(&first_bytes), reported);
    assert_ne!(Digest::sha256(&second_bytes), reported);
}

#[test]
fn every_saved_registry_response_is_listed_in_the_index() {
    fn walk(dir: &Path, root: &Path, found: &mut BTreeSet<String>) {
        let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(&path, root, found);
            } else if let Ok(relative) = path.strip_prefix(root) {
                found.insert(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let (dir, files) = registry_fixtures();
    let mut on_disk = BTreeSet::new();
    walk(&dir, &dir, &mut on_disk);
    on_disk.remove("fixtures.json");
    let listed: BTreeSet<String> = files.into_iter().map(|f| f.path).collect();
    assert_eq!(on_disk, listed);
}

#[derive(Deserialize)]
struct UpstreamIndex {
    files: Vec<UpstreamFile>,
}

/// A containers/image fixture and the digest its Go tests assert (null when they assert an error).
#[derive(Deserialize)]
struct UpstreamFile {
    file: String,
    schema1_signed: bool,
    expected_digest: Option<String>,
}

#[test]
fn containers_image_unsigned_manifests_hash_to_the_digest_its_tests_assert() {
    let dir = fixtures_dir().join("containers-image");
    let index: UpstreamIndex = serde_json::from_slice(&read(&dir.join("fixtures.json")))
        .expect("tests/fixtures/containers-image/fixtures.json lists files and digests");
    let mut checked = Vec::new();
    for file in index.files.iter().filter(|f| !f.schema1_signed) {
        let expected = file
            .expected_digest
            .as_deref()
            .unwrap_or_else(|| panic!("{}: unsigned fixture without a digest", file.file));
        let expected = parse_digest(expected, &file.file);
        assert_eq!(
            Digest::sha256(&read(&dir.join(&file.file))),
            expected,
            "{}",
            file.file
        );
        checked.push(file.file.as_str());
    }
    assert_eq!(checked, ["v2s2.manifest.json", "v2s1-unsigned.manifest.json"]);
}
