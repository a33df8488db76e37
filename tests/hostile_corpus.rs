//! The hostile-input corpus (`tests/hostile/`) through the core: every broken, huge or malicious
//! input gets the kind and findings a user should see, the digest of its exact bytes, no panic
//! and no hang.
//!
//! Expected kinds, finding slugs and message words are written by hand in tests/hostile/make-corpus;
//! the byte digests and sizes in tests/hostile/expected.json come from coreutils `sha256sum` and
//! `wc -c`, not from this code. Big inputs (50 MiB, 100,000 layers, 100,000 levels of nesting) are
//! rebuilt here from their recipes.

use digestlens::core::document::Analysis;
use digestlens::core::media_type::MediaType;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A hang guard, not a benchmark. The budget is 1 s per input in a release build (the page runs
/// release WASM); measured there, the slowest input (100,000 layers) takes 0.3-0.5 s on a shared
/// 2-core machine, so the guard allows 3 s. Unoptimized builds run 10 to 40 times slower: 5 s plus
/// 1 s per MiB (the 50 MiB paste took 6.5-12.4 s there).
fn time_limit(size: usize) -> Duration {
    if cfg!(debug_assertions) {
        Duration::from_secs(5) + Duration::from_secs(1) * u32::try_from(size >> 20).unwrap_or(u32::MAX)
    } else {
        Duration::from_secs(3)
    }
}

#[derive(Deserialize)]
struct Corpus {
    inputs: Vec<Input>,
}

#[derive(Deserialize)]
struct Input {
    name: String,
    file: Option<String>,
    /// `[text, times]` parts, concatenated.
    recipe: Option<Vec<(String, usize)>>,
    sha256: String,
    size: usize,
    hint: Option<String>,
    kind: String,
    findings: BTreeSet<String>,
    messages: Vec<String>,
}

fn hostile_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

fn corpus() -> Corpus {
    let text = std::fs::read(hostile_dir().join("expected.json")).expect("tests/hostile/expected.json");
    serde_json::from_slice(&text).expect("expected.json parses")
}

impl Input {
    fn bytes(&self) -> Vec<u8> {
        match (&self.file, &self.recipe) {
            (Some(file), None) => std::fs::read(hostile_dir().join(file)).expect("corpus file"),
            (None, Some(recipe)) => recipe
                .iter()
                .flat_map(|(text, times)| text.repeat(*times).into_bytes())
                .collect(),
            _ => panic!("{}: give exactly one of file and recipe", self.name),
        }
    }

    /// Everything wrong with the analysis of this input, as sentences; empty when it is right.
    fn check(&self, analysis: &Analysis) -> Vec<String> {
        let mut wrong = Vec::new();
        if analysis.bytes_digest.to_string() != self.sha256 {
            wrong.push(format!(
                "bytes digest {} (sha256sum says {})",
                analysis.bytes_digest, self.sha256
            ));
        }
        if analysis.size != self.size {
            wrong.push(format!("size {} (wc -c says {})", analysis.size, self.size));
        }
        if analysis.kind.slug() != self.kind {
            wrong.push(format!("kind {} (expected {})", analysis.kind.slug(), self.kind));
        }
        let slugs: BTreeSet<String> = analysis.findings.iter().map(|f| f.slug().to_owned()).collect();
        if slugs != self.findings {
            wrong.push(format!("findings {slugs:?} (expected {:?})", self.findings));
        }
        let texts: Vec<String> = analysis.findings.iter().map(ToString::to_string).collect();
        for words in &self.messages {
            if !texts.iter().any(|t| t.contains(words.as_str())) {
                wrong.push(format!("no finding says {words:?}"));
            }
        }
        if let Some(empty) = texts.iter().find(|t| t.trim().is_empty()) {
            wrong.push(format!("a finding has no message: {empty:?}"));
        }
        wrong
            .iter()
            .map(|w| format!("{}: {w}; messages: {texts:#?}", self.name))
            .collect()
    }
}

#[test]
fn the_corpus_holds_at_least_40_inputs_and_every_file_is_listed_once() {
    let corpus = corpus();
    assert!(corpus.inputs.len() >= 40, "only {} inputs", corpus.inputs.len());
    let listed: BTreeSet<String> = corpus.inputs.iter().filter_map(|i| i.file.clone()).collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(hostile_dir().join("inputs"))
        .expect("tests/hostile/inputs")
        .map(|e| format!("inputs/{}", e.expect("dir entry").file_name().to_string_lossy()))
        .collect();
    assert_eq!(listed, on_disk);
    let names: BTreeSet<&str> = corpus.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names.len(), corpus.inputs.len(), "names are unique");
}

#[test]
fn every_hostile_input_gets_its_kind_findings_and_byte_digest_without_panic_or_hang() {
    let mut failures = Vec::new();
    let mut timings = Vec::new();
    for input in corpus().inputs {
        let bytes = input.bytes();
        let hint = input.hint.as_deref().map(MediaType::parse);
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| Analysis::of(&bytes, hint.as_ref())));
        let took = started.elapsed();
        timings.push((took, input.name.clone(), bytes.len()));
        match outcome {
            Ok(analysis) => failures.extend(input.check(&analysis)),
            Err(_) => failures.push(format!("{}: the analysis panicked", input.name)),
        }
        if took > time_limit(bytes.len()) {
            failures.push(format!(
                "{}: took {took:?} (limit {:?})",
                input.name,
                time_limit(bytes.len())
            ));
        }
    }
    timings.sort();
    for (took, name, size) in timings.iter().rev().take(8) {
        eprintln!(
            "{:>10.1} ms  {size:>9} bytes  {name}",
            took.as_secs_f64() * 1000.0
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
