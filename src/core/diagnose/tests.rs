//! Unit tests of the three questions over small inline documents.

use super::serialization::{escape_kind, excerpts};
use super::*;
use crate::core::digest::Digest;
use crate::core::document::{Document, Origin};
use crate::core::explain::DigestRole;
use crate::core::reserialize::KeyOrder;

/// A pasted document, as the paste box makes one.
fn document(text: &str) -> Document {
    Document::new(text.as_bytes(), Origin::Pasted)
}

fn compare_texts(a: &str, b: &str) -> Comparison {
    compare(&document(a), &document(b))
}

fn differences(a: &str, b: &str) -> Vec<SerializationDifference> {
    match compare_texts(a, b).verdict {
        Verdict::Reserialized { differences, .. } => differences,
        other => panic!("expected reserialized, got {}: {other}", other.slug()),
    }
}

fn slugs(differences: &[SerializationDifference]) -> Vec<&'static str> {
    differences.iter().map(SerializationDifference::slug).collect()
}

const CONFIG_DIGEST: &str = "sha256:74e61a6508e3d7f08e26166cbdcb006b02fa1c77dd2a17b860522e492d96465e";

#[test]
fn identical_bytes_name_the_copy_tools() {
    let c = compare_texts("{\"a\":1}", "{\"a\":1}");
    assert_eq!(c.verdict.slug(), "identical-bytes");
    assert!(c.verdict.to_string().contains("skopeo copy --preserve-digests"));
    assert_eq!(c.divergence, None);
}

#[test]
fn whitespace_alone_is_named_with_both_layouts() {
    let d = differences("{\"a\":[1]}", "{\n   \"a\": [\n      1\n   ]\n}");
    assert_eq!(slugs(&d), ["whitespace"]);
    assert_eq!(d[0].to_string(), "Whitespace: A is compact, B is 3-space indent.");
}

#[test]
fn trailing_newline_alone_is_named() {
    let d = differences("{\"a\":1}", "{\"a\":1}\n");
    assert_eq!(slugs(&d), ["trailing-newline"]);
    assert!(d[0].to_string().contains("B ends with a newline"));
}

#[test]
fn crlf_alone_is_named() {
    let d = differences("{\n  \"a\": 1\n}", "{\r\n  \"a\": 1\r\n}");
    assert_eq!(slugs(&d), ["line-endings"]);
}

#[test]
fn bom_alone_is_named() {
    let d = differences("{\"a\":1}", "\u{feff}{\"a\":1}");
    assert_eq!(slugs(&d), ["byte-order-mark"]);
    assert!(d[0].to_string().starts_with("Byte order mark: B starts"));
}

#[test]
fn key_order_alone_names_the_object_and_both_orders() {
    let d = differences(
        r#"{"config":{"mediaType":"m","size":1,"digest":"d"}}"#,
        r#"{"config":{"mediaType":"m","digest":"d","size":1}}"#,
    );
    assert_eq!(
        d,
        [SerializationDifference::KeyOrder {
            path: "config".into(),
            a: vec!["mediaType".into(), "size".into(), "digest".into()],
            b: vec!["mediaType".into(), "digest".into(), "size".into()],
            objects: 1,
            a_order: Some(KeyOrder::Docker),
            b_order: Some(KeyOrder::Oci),
        }]
    );
}

#[test]
fn go_html_escaping_alone_is_named_as_such() {
    let d = differences(r#"{"u":"a\u0026b"}"#, r#"{"u":"a&b"}"#);
    assert!(matches!(
        d.as_slice(),
        [SerializationDifference::StringEscaping { kind: EscapeKind::Html, path, .. }] if path == "u"
    ));
}

#[test]
fn long_escaped_strings_are_shown_around_their_first_difference() {
    let a = format!("{}\\u0026{}", "x".repeat(40), "y".repeat(60));
    let b = format!("{}&{}", "x".repeat(40), "y".repeat(60));
    let (ea, eb) = excerpts(&a, &b);
    assert_eq!(ea, format!("…{}\\u0026{}…", "x".repeat(12), "y".repeat(22)));
    assert_eq!(eb, format!("…{}&{}…", "x".repeat(12), "y".repeat(27)));
    assert_eq!(
        excerpts("a&", "a\\u0026"),
        ("a&".to_owned(), "a\\u0026".to_owned())
    );
}

#[test]
fn each_escape_kind_is_told_apart() {
    for (a, b, kind) in [
        (r#""\u2028""#, "\"\u{2028}\"", EscapeKind::LineSeparator),
        (r#""\u00e9""#, "\"é\"", EscapeKind::NonAscii),
        (r#""\ud83d\ude00""#, "\"😀\"", EscapeKind::NonAscii),
        (r#""a\/b""#, r#""a/b""#, EscapeKind::Slash),
        (r#""\b""#, r#""\u0008""#, EscapeKind::ControlCharacter),
        (r#""\u00e9""#, r#""\u00E9""#, EscapeKind::HexCase),
        (r#""\u0041""#, r#""A""#, EscapeKind::Other),
    ] {
        assert_eq!(
            escape_kind(&a[1..a.len() - 1], &b[1..b.len() - 1]),
            kind,
            "{a} vs {b}"
        );
    }
}

#[test]
fn number_spelling_alone_is_named() {
    let d = differences(r#"{"size":1000}"#, r#"{"size":1e3}"#);
    assert_eq!(
        d,
        [SerializationDifference::NumberSpelling {
            path: "size".into(),
            a: "1000".into(),
            b: "1e3".into(),
            numbers: 1,
        }]
    );
}

#[test]
fn reserialized_config_warns_that_the_image_id_changes() {
    let a = r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let b = "{\n  \"architecture\": \"amd64\",\n  \"os\": \"linux\",\n  \"rootfs\": {\"type\": \"layers\", \"diff_ids\": []}\n}";
    let verdict = compare_texts(a, b).verdict;
    assert!(
        verdict.to_string().contains("the Image ID differs too"),
        "{verdict}"
    );
}

#[test]
fn different_values_are_not_reserialized() {
    let c = compare_texts(r#"{"a":1}"#, r#"{"a":2}"#);
    assert_ne!(c.verdict.slug(), "reserialized");
    assert_eq!(c.changes.len(), 1);
}

#[test]
fn json_diff_lists_added_removed_and_changed_paths() {
    let a = serde_json::json!({"a": 1, "b": {"c": [1, 2]}, "odd key": true});
    let b = serde_json::json!({"a": 1.0, "b": {"c": [1, 3, 4]}, "new": null});
    let changes: Vec<String> = json_diff(&a, &b)
        .iter()
        .map(|c| format!("{} {}", c.change.slug(), c.path))
        .collect();
    assert_eq!(
        changes,
        [
            "changed b.c[1]",
            "added b.c[2]",
            "removed [\"odd key\"]",
            "added new"
        ]
    );
}

#[test]
fn first_divergence_reports_line_column_and_context() {
    let d = first_divergence(b"{\n  \"size\": 12,\n}", b"{\n  \"size\": 13,\n}").unwrap();
    assert_eq!((d.offset, d.line, d.column), (13, 2, 12));
    assert_eq!(d.context_a, "  \"size\": 12,\\n}");
    assert_eq!(d.context_b, "  \"size\": 13,\\n}");
    let prefix = first_divergence(b"{}", b"{}\n").unwrap();
    assert_eq!(
        (
            prefix.offset,
            prefix.context_a.as_str(),
            prefix.context_b.as_str()
        ),
        (2, "{}", "{}\\n")
    );
    assert_eq!(first_divergence(b"x", b"x"), None);
}

#[test]
fn first_divergence_never_splits_a_character() {
    let d = first_divergence("é€a".as_bytes(), "é€b".as_bytes()).unwrap();
    assert_eq!(d.column, 3);
    assert_eq!((d.context_a.as_str(), d.context_b.as_str()), ("é€a", "é€b"));
    let inside = first_divergence("€".as_bytes(), "₤".as_bytes()).unwrap();
    assert_eq!(inside.context_a, "€");
}

#[test]
fn manifest_and_its_config_are_recognised() {
    let config = r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let digest = Digest::sha256(config.as_bytes());
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{digest}","size":{}}},"layers":[]}}"#,
        config.len()
    );
    let verdict = compare_texts(config, &manifest).verdict;
    assert_eq!(
        verdict,
        Verdict::ManifestAndConfig {
            manifest: Side::B,
            config: digest
        }
    );
}

fn manifest(media_type: &str, layer_type: &str, layers: &[&str]) -> String {
    let layers: Vec<String> = layers
        .iter()
        .map(|d| format!(r#"{{"mediaType":"{layer_type}","digest":"{d}","size":1}}"#))
        .collect();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{media_type}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{CONFIG_DIGEST}","size":604}},"layers":[{}],"annotations":{{"x":"1"}}}}"#,
        layers.join(",")
    )
}

const OCI: &str = "application/vnd.oci.image.manifest.v1+json";
const GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
const L1: &str = "sha256:c72313abbd5dfc7a7998c85b745ac9f08d2f996b082a6db9fe3ac29c1b4cb82b";
const L2: &str = "sha256:efc5dd092f34562903e877cb2e28ec05663651518bf2859aa2d73b961b47bb56";

#[test]
fn same_config_other_layer_blobs_is_recompression_named_by_format() {
    let a = manifest(OCI, GZIP, &[L1]);
    let b = manifest(OCI, ZSTD, &[L2]);
    let verdict = compare_texts(&a, &b).verdict;
    assert_eq!(verdict.slug(), "recompressed");
    assert!(verdict.to_string().contains("gzip → zstd"), "{verdict}");
    let same_format = compare_texts(&a, &manifest(OCI, GZIP, &[L2])).verdict;
    assert!(
        same_format.to_string().contains("another compressor"),
        "{same_format}"
    );
}

#[test]
fn same_config_and_layers_with_other_fields_is_an_edited_manifest() {
    let a = manifest(OCI, GZIP, &[L1]);
    let b = a.replace(r#""x":"1""#, r#""x":"2""#);
    assert_eq!(
        compare_texts(&a, &b).verdict,
        Verdict::ManifestEdited {
            config: CONFIG_DIGEST.parse().unwrap(),
            paths: vec!["annotations.x".into()],
        }
    );
}

#[test]
fn other_config_is_another_image_sharing_layers() {
    let a = manifest(OCI, GZIP, &[L1, L2]);
    let b = a.replace("74e61a65", "00000000");
    let verdict = compare_texts(&a, &b).verdict;
    assert!(
        matches!(verdict, Verdict::DifferentImages { shared_layers: 2, .. }),
        "{verdict:?}"
    );
}

#[test]
fn expected_accepts_full_bare_and_short_forms() {
    let full: Expected = CONFIG_DIGEST.parse().unwrap();
    assert_eq!(full, Expected::Full(CONFIG_DIGEST.parse().unwrap()));
    let bare: Expected = CONFIG_DIGEST.trim_start_matches("sha256:").parse().unwrap();
    assert_eq!(bare, full);
    assert_eq!(
        " 74E61A6508E3 ".parse::<Expected>(),
        Ok(Expected::Prefix("74e61a6508e3".into()))
    );
    assert_eq!(
        "sha256:74e61a6508e3".parse::<Expected>(),
        Ok(Expected::Prefix("74e61a6508e3".into()))
    );
    assert_eq!(
        "74e61a".parse::<Expected>(),
        Err(ExpectedError::TooShort { length: 6 })
    );
    assert_eq!("".parse::<Expected>(), Err(ExpectedError::Empty));
    assert!(matches!(
        "sha256:xyz".parse::<Expected>(),
        Err(ExpectedError::Digest(_))
    ));
}

#[test]
fn byte_edits_apply_only_where_they_change_something() {
    assert_eq!(ByteEdit::RemoveTrailingNewline.apply(b"{}"), None);
    assert_eq!(
        ByteEdit::RemoveTrailingNewline.apply(b"{}\r\n"),
        Some(b"{}".to_vec())
    );
    assert_eq!(
        ByteEdit::LfToCrlf.apply(b"{\r\n}\n"),
        Some(b"{\r\n}\r\n".to_vec())
    );
    assert_eq!(ByteEdit::CrlfToLf.apply(b"{\r\n}"), Some(b"{\n}".to_vec()));
    assert_eq!(ByteEdit::RemoveByteOrderMark.apply(b"{}"), None);
}

#[test]
fn check_expected_finds_a_lost_trailing_newline() {
    let text = "{\"a\":1}";
    let expected = Expected::Full(Digest::sha256(b"{\"a\":1}\n"));
    let check = check_expected(&document(text), &expected, &[]);
    assert_eq!(check.slug(), "byte-edit");
    assert!(check.to_string().contains("with a trailing newline"), "{check}");
}

#[test]
fn check_expected_finds_the_reserialization_and_names_it() {
    let text = r#"{"config":{"mediaType":"m","size":1,"digest":"d"}}"#;
    // Written out by hand: distribution's 3-space MarshalIndent of the same value.
    let go = "{\n   \"config\": {\n      \"mediaType\": \"m\",\n      \"size\": 1,\n      \"digest\": \"d\"\n   }\n}";
    let expected = Expected::Full(Digest::sha256(go.as_bytes()));
    match check_expected(&document(text), &expected, &[]) {
        ExpectedCheck::Reserialized { name, .. } => assert!(name.starts_with("3-space indent"), "{name}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn check_expected_recognises_the_short_image_id_in_a_manifest() {
    let text = manifest(OCI, GZIP, &[L1]);
    let check = check_expected(&document(&text), &"74e61a6508e3".parse().unwrap(), &[]);
    assert!(
        matches!(
            &check,
            ExpectedCheck::OtherDigest {
                role: DigestRole::Config,
                place: Place::ThisDocument,
                ..
            }
        ),
        "{check:?}"
    );
    assert!(check.to_string().contains("Image ID"));
}

#[test]
fn check_expected_gives_up_honestly() {
    let text = "{\"a\":1}";
    let expected = Expected::Full(Digest::sha256(b"something else"));
    let check = check_expected(&document(text), &expected, &[]);
    match check {
        ExpectedCheck::NoMatch { tried, .. } => assert!(tried > 10),
        other => panic!("{other:?}"),
    }
}

#[test]
fn repush_preview_marks_the_style_the_input_already_has() {
    let text = manifest(OCI, GZIP, &[L1]);
    let renderings = repush_preview(&document(&text));
    let same: Vec<&str> = renderings
        .iter()
        .filter(|r| r.same_as_input)
        .map(|r| r.name.as_str())
        .collect();
    assert!(
        same.iter().any(|n| n.starts_with("compact, Go json.Marshal")),
        "{same:?}"
    );
    assert!(renderings.iter().any(|r| !r.same_as_input));
    assert!(renderings.iter().all(|r| r.digest == Digest::sha256(&r.bytes)));
    assert!(repush_preview(&document("not json")).is_empty());
}

#[test]
fn unrelated_documents_say_so() {
    let c = compare_texts(r#"{"a":1}"#, "not json");
    assert_eq!(c.verdict.slug(), "unrelated");
    assert!(c.changes.is_empty());
}
