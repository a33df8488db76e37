//! The hostile tar corpus (tests/hostile/tars.json, written by tests/hostile/make-tars) through
//! the lister: every damaged or malicious tar stops with the named error and a message a user
//! understands, keeps the entries before it, never panics, and stays in bounded memory: a million
//! entries keep only the listing cap, a bomb of nested long-name records stops at the first few.
//!
//! The outcomes (error slug, message words, entries listed) are written by hand in make-tars; the
//! 9 GiB sizes are what Python's tarfile reads back from the same header bytes.

use digestlens::core::layer::tar::{ListOptions, Listing, TarLister, DEFAULT_MAX_ENTRIES};
use serde::Deserialize;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn hostile_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

#[derive(Deserialize)]
struct Corpus {
    inputs: Vec<Case>,
    recipes: Vec<Recipe>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    file: String,
    error: Option<String>,
    messages: Vec<String>,
    listed: usize,
    size: Option<u64>,
    #[serde(default)]
    escapes: Vec<String>,
}

#[derive(Deserialize)]
struct Recipe {
    name: String,
    parts: Vec<(String, usize)>,
    error: Option<String>,
    messages: Vec<String>,
    listed: usize,
    omitted: Option<u64>,
}

fn corpus() -> Corpus {
    let text = std::fs::read(hostile_dir().join("tars.json")).expect("tests/hostile/tars.json");
    serde_json::from_slice(&text).expect("tars.json has the make-tars layout")
}

/// Lists `chunks` (fed one by one), catching any panic as a failure.
fn list<'a>(name: &str, chunks: impl Iterator<Item = &'a [u8]>) -> Listing {
    catch_unwind(AssertUnwindSafe(|| {
        let mut lister = TarLister::new(ListOptions::default());
        for chunk in chunks {
            lister.feed(chunk);
        }
        lister.finish()
    }))
    .unwrap_or_else(|_| panic!("{name}: the lister panicked"))
}

fn check(name: &str, listing: &Listing, error: &Option<String>, messages: &[String], listed: usize) {
    assert_eq!(
        listing.error.as_ref().map(|e| e.slug().to_owned()),
        *error,
        "{name}: {:?}",
        listing.error
    );
    let message = listing
        .error
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    for word in messages {
        assert!(
            message.contains(word.as_str()),
            "{name}: {message:?} lacks {word:?}"
        );
    }
    assert_eq!(listing.entries.len(), listed, "{name}: entries listed");
}

#[test]
fn hostile_tars_stop_with_a_named_error_and_keep_what_came_before() {
    for case in corpus().inputs {
        let bytes = std::fs::read(hostile_dir().join(&case.file)).expect("corpus file");
        for chunk in [1, 100, bytes.len().max(1)] {
            let listing = list(&case.name, bytes.chunks(chunk));
            check(&case.name, &listing, &case.error, &case.messages, case.listed);
            if let Some(size) = case.size {
                assert_eq!(
                    listing.entries[0].size, size,
                    "{}: tarfile reads this size",
                    case.name
                );
            }
            let escaping: Vec<&str> = listing
                .entries
                .iter()
                .filter(|e| e.escapes)
                .map(|e| e.path.as_str())
                .collect();
            let cleaned: Vec<String> = case
                .escapes
                .iter()
                .map(|p| p.trim_start_matches("./").to_owned())
                .collect();
            assert_eq!(escaping, cleaned, "{}: flagged paths", case.name);
        }
    }
}

#[test]
fn a_million_entries_and_a_long_name_bomb_stay_bounded() {
    for recipe in corpus().recipes {
        let parts: Vec<(Vec<u8>, usize)> = recipe
            .parts
            .iter()
            .map(|(file, times)| (std::fs::read(hostile_dir().join(file)).expect("part"), *times))
            .collect();
        // Fed part by part: the input is never held whole (a million entries are 512 MB of tar).
        let chunks = parts
            .iter()
            .flat_map(|(bytes, times)| std::iter::repeat_n(bytes.as_slice(), *times));
        let listing = list(&recipe.name, chunks);
        check(
            &recipe.name,
            &listing,
            &recipe.error,
            &recipe.messages,
            recipe.listed,
        );
        assert!(listing.entries.len() <= DEFAULT_MAX_ENTRIES);
        if let Some(omitted) = recipe.omitted {
            assert_eq!(listing.omitted.entries, omitted, "{}", recipe.name);
            let note = listing
                .omitted_note(DEFAULT_MAX_ENTRIES)
                .expect("a note on what was left out");
            assert!(note.contains("800000 more entries"), "{note}");
        }
    }
}
