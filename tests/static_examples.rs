//! The examples the page ships (static/examples) are the files examples.json describes, and each
//! has the digest a source outside this code reported (registry header or sha256sum).

use digestlens::core::document::Analysis;
use digestlens::core::media_type::MediaType;
use digestlens::examples::EXAMPLES;
use serde_json::Value;

#[test]
fn every_shipped_example_has_the_digest_recorded_from_outside() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/static/examples/examples.json");
    let recorded: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let sets = recorded["sets"].as_array().unwrap();
    assert_eq!(sets.len(), EXAMPLES.len());
    for (set, example) in sets.iter().zip(EXAMPLES) {
        assert_eq!(set["id"], example.id);
        let files = set["files"].as_array().unwrap();
        assert_eq!(files.len(), example.files.len(), "{}", example.id);
        for (file, shipped) in files.iter().zip(example.files) {
            assert_eq!(
                file["file"].as_str().unwrap(),
                format!("{}/{}", example.id, shipped.name)
            );
            assert_eq!(file["media_type"], shipped.media_type);
            let analysis = Analysis::of(shipped.bytes, Some(&MediaType::parse(shipped.media_type)));
            assert_eq!(
                analysis.digest().to_string(),
                file["digest"].as_str().unwrap(),
                "{}",
                shipped.name
            );
        }
    }
}
