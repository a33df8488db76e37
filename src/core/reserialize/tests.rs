use super::reader::MAX_DEPTH;
use super::*;
use serde_json::json;

fn text(value: &Value, style: Style) -> String {
    String::from_utf8(write(value, &style)).unwrap()
}

#[test]
fn compact_has_no_whitespace_and_empty_containers_stay_closed() {
    let v = json!({"a": [1, {}], "b": [], "c": {"d": null}});
    assert_eq!(
        text(&v, Style::GO_MARSHAL),
        r#"{"a":[1,{}],"b":[],"c":{"d":null}}"#
    );
}

#[test]
fn indent_puts_one_member_per_line_and_keeps_empty_containers_inline() {
    let v = json!({"a": [1, {}], "b": []});
    assert_eq!(
        text(&v, Style::go_indent(Indent::Spaces(3))),
        "{\n   \"a\": [\n      1,\n      {}\n   ],\n   \"b\": []\n}"
    );
    assert_eq!(
        text(&v, Style::go_indent(Indent::Tab)),
        "{\n\t\"a\": [\n\t\t1,\n\t\t{}\n\t],\n\t\"b\": []\n}"
    );
}

#[test]
fn spaced_layout_is_pythons_default() {
    // Python 3: json.dumps({"a": [1, 2], "b": {}}) == '{"a": [1, 2], "b": {}}'
    let v = json!({"a": [1, 2], "b": {}});
    let style = Style {
        layout: Layout::Spaced,
        ..Style::GO_MARSHAL
    };
    assert_eq!(text(&v, style), r#"{"a": [1, 2], "b": {}}"#);
}

#[test]
fn trailing_newline_and_crlf_change_only_line_breaks() {
    let v = json!({"a": 1});
    let style = Style::go_indent(Indent::Spaces(2))
        .with_crlf()
        .with_trailing_newline();
    assert_eq!(text(&v, style), "{\r\n  \"a\": 1\r\n}\r\n");
    assert_eq!(text(&v, Style::GO_MARSHAL.with_trailing_newline()), "{\"a\":1}\n");
}

#[test]
fn go_html_escaping_is_a_switch() {
    let v = json!("a<b>&c");
    assert_eq!(text(&v, Style::GO_MARSHAL), r#""a\u003cb\u003e\u0026c""#);
    let no_html = Escaping::Go {
        html: false,
        before_1_22: false,
    };
    assert_eq!(text(&v, Style::GO_MARSHAL.with_escaping(no_html)), r#""a<b>&c""#);
}

#[test]
fn go_always_escapes_line_and_paragraph_separators_minimal_does_not() {
    let v = json!("x\u{2028}y\u{2029}");
    let no_html = Escaping::Go {
        html: false,
        before_1_22: false,
    };
    assert_eq!(
        text(&v, Style::GO_MARSHAL.with_escaping(no_html)),
        r#""x\u2028y\u2029""#
    );
    assert_eq!(
        text(&v, Style::GO_MARSHAL.with_escaping(Escaping::Minimal)),
        "\"x\u{2028}y\u{2029}\""
    );
}

#[test]
fn control_characters_use_short_forms_only_where_go_does() {
    let v = json!("\u{8}\u{c}\u{1}\u{1f}\u{7f}");
    assert_eq!(text(&v, Style::GO_MARSHAL), "\"\\b\\f\\u0001\\u001f\u{7f}\"");
    let old_go = Escaping::Go {
        html: true,
        before_1_22: true,
    };
    assert_eq!(
        text(&v, Style::GO_MARSHAL.with_escaping(old_go)),
        "\"\\u0008\\u000c\\u0001\\u001f\u{7f}\""
    );
}

#[test]
fn ascii_escaping_uses_surrogate_pairs_above_the_bmp() {
    // Python 3: json.dumps("é😀") == '"\\u00e9\\ud83d\\ude00"'
    let v = json!("é😀");
    assert_eq!(
        text(&v, Style::GO_MARSHAL.with_escaping(Escaping::Ascii)),
        r#""\u00e9\ud83d\ude00""#
    );
}

#[test]
fn slash_is_never_escaped() {
    assert_eq!(text(&json!("a/b"), Style::GO_MARSHAL), r#""a/b""#);
}

#[test]
fn docker_and_oci_orders_swap_size_and_digest() {
    let v = json!({"config": {"digest": "d", "size": 1, "mediaType": "m"}, "layers": []});
    assert_eq!(
        text(&v, Style::GO_MARSHAL.with_keys(KeyOrder::Docker)),
        r#"{"config":{"mediaType":"m","size":1,"digest":"d"},"layers":[]}"#
    );
    assert_eq!(
        text(&v, Style::GO_MARSHAL.with_keys(KeyOrder::Oci)),
        r#"{"config":{"mediaType":"m","digest":"d","size":1},"layers":[]}"#
    );
}

#[test]
fn struct_orders_keep_unknown_keys_after_known_ones_and_leave_configs_alone() {
    let manifest = json!({"x-extra": 1, "layers": [], "schemaVersion": 2});
    assert_eq!(
        text(&manifest, Style::GO_MARSHAL.with_keys(KeyOrder::Oci)),
        r#"{"schemaVersion":2,"layers":[],"x-extra":1}"#
    );
    let config = json!({"rootfs": {}, "architecture": "amd64"});
    assert_eq!(
        text(&config, Style::GO_MARSHAL.with_keys(KeyOrder::Oci)),
        r#"{"rootfs":{},"architecture":"amd64"}"#
    );
}

#[test]
fn key_order_of_recognises_struct_orders_only_where_they_apply() {
    let docker =
        json!({"schemaVersion": 2, "config": {"mediaType": "m", "size": 1, "digest": "d"}, "layers": []});
    assert_eq!(key_order_of(&docker), Some(KeyOrder::Docker));
    let oci =
        json!({"schemaVersion": 2, "config": {"mediaType": "m", "digest": "d", "size": 1}, "layers": []});
    assert_eq!(key_order_of(&oci), Some(KeyOrder::Oci));
    assert_eq!(key_order_of(&json!({"b": 1, "a": 2})), None);
    assert_eq!(
        key_order_of(&json!({"a": 1, "b": {"c": 2, "d": 3}})),
        Some(KeyOrder::Sorted)
    );
}

#[test]
fn variants_for_a_value_skip_choices_it_cannot_tell_apart() {
    // One key, no special character: only layout, newline and line endings can differ.
    assert_eq!(variants_for(&json!({"a": 1})).len(), 4 * 4 + 2 * 3);
    // "<" tells Go's HTML escaping from the rest (Go without HTML escaping, Minimal and Ascii
    // all write it as is); two keys out of order tell sorted from as written.
    assert_eq!(
        variants_for(&json!({"b": "<", "a": 1})).len(),
        2 * 2 * (4 * 4 + 2 * 3)
    );
}

#[test]
fn variants_cover_each_combination_once() {
    let all = variants();
    for (i, a) in all.iter().enumerate() {
        assert!(all.iter().skip(i + 1).all(|b| a != b), "{a} twice");
    }
    // 4 key orders × 4 escapings × (4 indented layouts × 4 + 2 one-line layouts × 3)
    assert_eq!(all.len(), 4 * 4 * (4 * 4 + 2 * 3));
}

#[test]
fn read_recovers_layout_line_endings_and_trailing_whitespace() {
    let cases: [(&str, SeenLayout, Option<LineEnding>, &str); 6] = [
        ("{\"a\":[1,2]}", SeenLayout::Known(Layout::Compact), None, ""),
        (
            "{\n   \"a\": [\n      1\n   ]\n}\n",
            SeenLayout::Known(Layout::Indented(Indent::Spaces(3))),
            Some(LineEnding::Lf),
            "\n",
        ),
        (
            "{\r\n\t\"a\": {}\r\n}",
            SeenLayout::Known(Layout::Indented(Indent::Tab)),
            Some(LineEnding::CrLf),
            "",
        ),
        ("{\"a\": [1, 2]}", SeenLayout::Known(Layout::Spaced), None, ""),
        ("{\"a\" : 1}", SeenLayout::Irregular, None, ""),
        (
            "{\n  \"a\": {\n     \"b\": 1\n  }\n}",
            SeenLayout::Irregular,
            Some(LineEnding::Lf),
            "",
        ),
    ];
    for (input, layout, ending, trailing) in cases {
        let written = read(input.as_bytes()).unwrap();
        assert_eq!(written.formatting.layout, layout, "{input:?}");
        assert_eq!(written.formatting.line_ending, ending, "{input:?}");
        assert_eq!(written.formatting.trailing, trailing, "{input:?}");
    }
}

#[test]
fn read_keeps_spellings_and_decodes_escapes() {
    let written = read(br#"{"k\u0026":["a\/b\ud83d\ude00", 1.0E2, -0, true]}"#).unwrap();
    let RawValue::Object(members) = written.root else {
        panic!("not an object")
    };
    let (key, value) = &members[0];
    assert_eq!((key.written.as_str(), key.text.as_str()), ("k\\u0026", "k&"));
    let RawValue::Array(items) = value else {
        panic!("not an array")
    };
    assert_eq!(
        items[0],
        RawValue::String(RawString {
            written: "a\\/b\\ud83d\\ude00".into(),
            text: "a/b😀".into()
        })
    );
    assert_eq!(items[1], RawValue::Number("1.0E2".into()));
    assert_eq!(items[2], RawValue::Number("-0".into()));
    assert_eq!(items[3], RawValue::Literal("true"));
}

#[test]
fn read_rejects_what_is_not_json_instead_of_panicking() {
    for bad in [
        &b"{"[..],
        b"[1,]",
        b"\"\\ud800\"",
        b"\"\\u12\"",
        b"\xff",
        b"01x",
        b"{} x",
        b"\"a\nb\"",
    ] {
        assert!(read(bad).is_none(), "{:?}", String::from_utf8_lossy(bad));
    }
    let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
    assert!(read(deep.as_bytes()).is_none());
}

#[test]
fn identify_names_the_style_that_wrote_the_bytes() {
    let bytes = b"{\n  \"b\": \"<\",\n  \"a\": 1\n}\n";
    let value: Value = serde_json::from_slice(bytes).unwrap();
    let identified = identify(bytes, &value).unwrap();
    assert_eq!(identified.description, "jq . (2-space indent, trailing newline)");
    assert_ne!(
        identified.style.escaping,
        Escaping::GO,
        "Go would have written \\u003c"
    );
    assert_eq!(identify(b"{\"a\" :1}", &serde_json::json!({"a": 1})), None);
}

#[test]
fn identify_leaves_out_escaping_that_makes_no_difference() {
    let bytes = b"{\r\n    \"a\": 1\r\n}";
    let identified = identify(bytes, &serde_json::json!({"a": 1})).unwrap();
    assert_eq!(
        identified.description,
        "4-space indent, CRLF (Windows) line endings"
    );
    let bytes = b"{\r\n    \"a\": \"\\u0026\"\r\n}";
    let identified = identify(bytes, &serde_json::json!({"a": "&"})).unwrap();
    assert_eq!(
        identified.description,
        "4-space indent, CRLF (Windows) line endings, Go escaping (<, >, & written as \\u003c, \\u003e, \\u0026)"
    );
}
