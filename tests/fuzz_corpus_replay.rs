//! Replays every input saved in `fuzz/corpus/<target>/` (seeds and what cargo-fuzz kept) through
//! the same functions the fuzz targets run, so each `cargo test` re-checks them without nightly
//! or libFuzzer. Inputs that once crashed a target are saved there too, named `regression-*`.

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("document", harness::document),
    ("schema1_payload", harness::schema1_payload),
    ("permalink_decode", harness::permalink_decode),
    ("reference_parse", harness::reference_parse),
    ("json_parse", harness::json_parse),
];

#[test]
fn every_saved_fuzz_input_still_passes_its_target() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut failures = Vec::new();
    for (target, run) in TARGETS {
        let mut replayed = 0;
        for entry in
            std::fs::read_dir(corpus.join(target)).unwrap_or_else(|e| panic!("fuzz/corpus/{target}: {e}"))
        {
            let path = entry.expect("corpus entry").path();
            let bytes = std::fs::read(&path).expect("corpus file");
            if catch_unwind(AssertUnwindSafe(|| run(&bytes))).is_err() {
                failures.push(format!("{target}: {}", path.display()));
            }
            replayed += 1;
        }
        assert!(replayed > 0, "fuzz/corpus/{target} is empty");
    }
    assert!(
        failures.is_empty(),
        "inputs that fail their target:\n{}",
        failures.join("\n")
    );
}
