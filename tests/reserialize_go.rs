//! The writer against bytes real Go code wrote: tests/fixtures/go-json (Go's encoding/json with the
//! docker/distribution and image-spec structs, see its README) and, when present, the registry
//! fixtures (skopeo's compact manifests, docker/distribution's schema 1 payload).

use digestlens::core::reserialize::{self, Escaping, Indent, KeyOrder, Style};
use serde_json::Value;
use std::path::Path;

fn go_json(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/go-json")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn value(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("fixture is JSON")
}

/// Asserts that writing `input` in `style` gives exactly Go's `expected` file.
fn assert_go_writes(input: &str, style: Style, expected: &str) {
    let written = reserialize::write(&value(&go_json(input)), &style);
    let want = go_json(expected);
    assert!(
        written == want,
        "{input} written as {style} differs from Go's {expected}:\n ours: {}\n   go: {}",
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&want)
    );
}

#[test]
fn oci_manifest_matches_json_marshal_with_image_spec_structs() {
    assert_go_writes(
        "oci-manifest.in.json",
        Style::GO_MARSHAL.with_keys(KeyOrder::Oci),
        "oci-manifest.marshal.json",
    );
}

#[test]
fn oci_manifest_matches_marshal_indent_with_each_unit() {
    for (indent, expected) in [
        (Indent::Spaces(2), "oci-manifest.indent2.json"),
        (Indent::Spaces(3), "oci-manifest.indent3.json"),
        (Indent::Spaces(4), "oci-manifest.indent4.json"),
        (Indent::Tab, "oci-manifest.tab.json"),
    ] {
        assert_go_writes(
            "oci-manifest.in.json",
            Style::go_indent(indent).with_keys(KeyOrder::Oci),
            expected,
        );
    }
}

#[test]
fn oci_manifest_matches_json_encoder_with_and_without_html_escaping() {
    assert_go_writes(
        "oci-manifest.in.json",
        Style::GO_MARSHAL.with_keys(KeyOrder::Oci).with_trailing_newline(),
        "oci-manifest.encoder.json",
    );
    let no_html = Escaping::Go {
        html: false,
        before_1_22: false,
    };
    assert_go_writes(
        "oci-manifest.in.json",
        Style::go_indent(Indent::Spaces(2))
            .with_keys(KeyOrder::Oci)
            .with_escaping(no_html)
            .with_trailing_newline(),
        "oci-manifest.encoder-noescape-indent2.json",
    );
}

#[test]
fn oci_index_matches_image_spec_descriptor_and_platform_order() {
    let oci = Style::GO_MARSHAL.with_keys(KeyOrder::Oci);
    assert_go_writes("oci-index.in.json", oci, "oci-index.marshal.json");
    assert_go_writes(
        "oci-index.in.json",
        Style::go_indent(Indent::Spaces(3)).with_keys(KeyOrder::Oci),
        "oci-index.indent3.json",
    );
}

#[test]
fn docker_manifest_matches_docker_distribution_canonical_form() {
    assert_go_writes(
        "docker-manifest.in.json",
        Style::go_indent(Indent::Spaces(3)).with_keys(KeyOrder::Docker),
        "docker-manifest.distribution.json",
    );
    assert_go_writes(
        "docker-manifest.in.json",
        Style::GO_MARSHAL.with_keys(KeyOrder::Docker),
        "docker-manifest.marshal.json",
    );
}

#[test]
fn docker_manifest_list_matches_docker_distribution_canonical_form() {
    assert_go_writes(
        "docker-list.in.json",
        Style::go_indent(Indent::Spaces(3)).with_keys(KeyOrder::Docker),
        "docker-list.distribution.json",
    );
    assert_go_writes(
        "docker-list.in.json",
        Style::GO_MARSHAL.with_keys(KeyOrder::Docker),
        "docker-list.marshal.json",
    );
}

#[test]
fn strings_match_go_1_19_escaping_with_and_without_html() {
    // Go 1.19 wrote these, so \b and \f come out as \u0008 and \u000c. "keys" is a Go map, which
    // Go writes sorted (map sorting itself is checked by the sorted.* fixtures).
    let mut input = value(&go_json("strings.in.json"));
    if let Some(Value::Object(keys)) = input.get_mut("keys") {
        keys.sort_keys();
    }
    for (html, trailing_newline, expected) in [
        (true, false, "strings.marshal.json"),
        (false, true, "strings.encoder-noescape.json"),
    ] {
        let mut style = Style::GO_MARSHAL.with_escaping(Escaping::Go {
            html,
            before_1_22: true,
        });
        style.trailing_newline = trailing_newline;
        let written = reserialize::write(&input, &style);
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&go_json(expected)),
            "{expected}"
        );
    }
}

#[test]
fn generic_values_match_go_map_key_sorting() {
    let sorted = Style::GO_MARSHAL.with_keys(KeyOrder::Sorted);
    assert_go_writes("sorted.in.json", sorted, "sorted.marshal.json");
    assert_go_writes(
        "sorted.in.json",
        Style::go_indent(Indent::Tab).with_keys(KeyOrder::Sorted),
        "sorted.tab.json",
    );
}

#[test]
fn identify_finds_the_go_call_behind_each_fixture() {
    let no_html = Escaping::Go {
        html: false,
        before_1_22: false,
    };
    for (file, layout_is, trailing_newline) in [
        (
            "docker-manifest.distribution.json",
            reserialize::Layout::Indented(Indent::Spaces(3)),
            false,
        ),
        (
            "oci-manifest.encoder-noescape-indent2.json",
            reserialize::Layout::Indented(Indent::Spaces(2)),
            true,
        ),
        ("oci-manifest.encoder.json", reserialize::Layout::Compact, true),
    ] {
        let bytes = go_json(file);
        let style = reserialize::identify(&bytes, &value(&bytes))
            .unwrap_or_else(|| panic!("{file}"))
            .style;
        assert_eq!(style.layout, layout_is, "{file}");
        assert_eq!(style.trailing_newline, trailing_newline, "{file}");
        if file.contains("noescape") {
            assert_eq!(style.escaping, no_html, "{file}");
        } else {
            assert_eq!(style.escaping, Escaping::GO, "{file}");
        }
    }
}

/// A registry fixture made by the fixtures branch (scripts/make-fixtures); `None` when absent.
fn registry_fixture(name: &str) -> Option<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/registry")
        .join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(_) => {
            eprintln!(
                "skipping: {} is not there (made by scripts/make-fixtures)",
                path.display()
            );
            None
        }
    }
}

#[test]
fn registry_manifests_are_go_compact_in_their_library_struct_order() {
    // Read back with every object's keys sorted, then put in Go struct order again: the Docker ones
    // in distribution's, the OCI ones in image-spec's. demo-oci is umoci's manifest, which skopeo
    // copied as is: umoci writes with json.Encoder, hence the newline. skopeo rewrote demo-zstd
    // (new layers) and demo-docker (converted); buildah wrote the two indexes.
    for (file, keys, trailing_newline) in [
        ("demo-oci/manifest.json", KeyOrder::Oci, true),
        ("demo-zstd/manifest.json", KeyOrder::Oci, false),
        ("demo-docker/manifest.json", KeyOrder::Docker, false),
        ("demo-multi/index.json", KeyOrder::Oci, false),
        ("demo-multi-docker/index.json", KeyOrder::Docker, false),
    ] {
        let Some(bytes) = registry_fixture(file) else {
            continue;
        };
        let shuffled = reserialize::write(&value(&bytes), &Style::GO_MARSHAL.with_keys(KeyOrder::Sorted));
        assert_ne!(shuffled, bytes, "{file}: sorting should move keys");
        let mut style = Style::GO_MARSHAL.with_keys(keys);
        style.trailing_newline = trailing_newline;
        let rewritten = reserialize::write(&value(&shuffled), &style);
        assert_eq!(
            String::from_utf8_lossy(&rewritten),
            String::from_utf8_lossy(&bytes),
            "{file}"
        );
    }
}

#[test]
fn docker_distribution_schema1_payload_is_marshal_indent_with_three_spaces() {
    // docker/distribution signs json.MarshalIndent(m, "", "   "); the payload is the signed bytes:
    // the document up to formatLength plus the decoded formatTail.
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let Some(bytes) = registry_fixture("demo-docker/schema1-get1.json") else {
        return;
    };
    let signed = value(&bytes);
    let protected = signed["signatures"][0]["protected"]
        .as_str()
        .expect("protected header");
    let header = value(&URL_SAFE_NO_PAD.decode(protected).expect("base64url"));
    let length = usize::try_from(header["formatLength"].as_u64().expect("formatLength")).unwrap();
    let tail = URL_SAFE_NO_PAD
        .decode(header["formatTail"].as_str().expect("formatTail"))
        .expect("base64url");
    let mut payload = bytes[..length].to_vec();
    payload.extend_from_slice(&tail);
    let rewritten = reserialize::write(&value(&payload), &Style::go_indent(Indent::Spaces(3)));
    assert_eq!(
        String::from_utf8_lossy(&rewritten),
        String::from_utf8_lossy(&payload)
    );
}
