//! What only runs in WebAssembly, checked in headless Chromium (wasm-bindgen-test-runner):
//! our sha256 compiled to WASM against the browser's own (SubtleCrypto), files read back as their
//! exact bytes, streams read chunk by chunk as exactly their bytes, and the mounted page showing
//! the digest of pasted text.
#![cfg(target_arch = "wasm32")]

use digestlens::core::digest::Digest;
use digestlens::core::document::{Analysis, Finding};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "common/splitmix.rs"]
mod splitmix;
use splitmix::SplitMix;

fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

/// sha256 by the browser's WebCrypto, as lowercase hex.
async fn subtle_sha256(bytes: &[u8]) -> String {
    let subtle = window().crypto().expect("crypto").subtle();
    let data = js_sys::Uint8Array::from(bytes);
    let promise = subtle
        .digest_with_str_and_buffer_source("SHA-256", &data)
        .expect("digest starts");
    let buffer = JsFuture::from(promise).await.expect("digest finishes");
    js_sys::Uint8Array::new(&buffer)
        .to_vec()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("timer");
    });
    JsFuture::from(promise).await.expect("timer fires");
}

#[wasm_bindgen_test]
async fn wasm_sha256_agrees_with_the_browsers_webcrypto_across_chunk_sizes() {
    // Lengths around the 64 KiB chunk boundary and the 64-byte block boundary, and 5 MiB.
    for len in [
        0,
        1,
        55,
        56,
        63,
        64,
        65,
        65_535,
        65_536,
        65_537,
        5 * 1024 * 1024 + 3,
    ] {
        let bytes = SplitMix(0x9E37_79B9_7F4A_7C15).bytes(len);
        assert_eq!(
            Digest::sha256(&bytes).encoded(),
            subtle_sha256(&bytes).await,
            "length {len}"
        );
    }
}

/// A `File` of `len` pseudo-random bytes, and the bytes.
fn random_file(len: usize, seed: u64) -> (web_sys::File, Vec<u8>) {
    let bytes = SplitMix(seed).bytes(len);
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let file = web_sys::File::new_with_u8_array_sequence(&parts, "blob.bin").expect("a File");
    (file, bytes)
}

#[wasm_bindgen_test]
async fn a_stream_read_chunk_by_chunk_gives_back_exactly_its_bytes() {
    use digestlens::registry::ChunkReader;
    // Over the 1 MiB read size, so the one BYOB buffer is handed back and refilled.
    let (file, bytes) = random_file(3 * 1024 * 1024 + 17, 7);
    let mut reader = ChunkReader::new(&file.stream());
    let mut read = Vec::new();
    let mut chunks = 0;
    let mut chunk = Vec::new();
    while reader.next(&mut chunk).await.expect("readable") {
        read.extend_from_slice(&chunk);
        chunks += 1;
    }
    assert!(chunks > 1, "read in {chunks} chunk(s)");
    assert_eq!(reader.received(), bytes.len() as u64);
    assert!(read == bytes, "the bytes read differ from the file's");
}

#[wasm_bindgen_test]
async fn an_error_body_is_read_up_to_its_cap_and_no_further() {
    use digestlens::registry::ChunkReader;
    let (file, bytes) = random_file(100_000, 11);
    let capped = ChunkReader::new(&file.stream()).read_up_to(65_536).await;
    assert_eq!(capped.as_deref(), bytes.get(..65_536));
    let whole = ChunkReader::new(&file.stream()).read_up_to(1 << 20).await;
    assert_eq!(whole, Some(bytes));
}

#[wasm_bindgen_test]
async fn a_file_is_read_back_as_its_exact_bytes() {
    // A BOM, CRLF line endings and an invalid UTF-8 byte: all would be lost by reading as text.
    let original: Vec<u8> = b"\xEF\xBB\xBF{\"a\":\r\n\"\xFF\"}\r\n".to_vec();
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(original.as_slice()));
    let file = web_sys::File::new_with_u8_array_sequence(&parts, "odd.json").expect("a File");
    let read = digestlens::ui::files::read_bytes(&file).await.expect("readable");
    assert_eq!(read, original);
    let findings = Analysis::of(&read, None).findings;
    assert!(findings.contains(&Finding::Utf8Bom));
    assert!(findings.contains(&Finding::CrlfLineEndings));
    assert!(findings.contains(&Finding::InvalidUtf8 { offset: 11 }));
}

#[wasm_bindgen_test]
async fn the_mounted_page_shows_the_digest_of_pasted_text() {
    let document = window().document().expect("a document");
    let root = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("attached");
    digestlens::ui::mount(root.clone());
    sleep(50).await;

    let area: web_sys::HtmlTextAreaElement = root
        .query_selector("[data-testid=paste]")
        .unwrap()
        .expect("the paste box")
        .dyn_into()
        .unwrap();
    // `{}` is the OCI empty descriptor's content; the image spec gives its digest.
    area.set_value("{}");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    area.dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    sleep(50).await;

    let digest = root
        .query_selector("[data-testid=digest]")
        .unwrap()
        .expect("a digest");
    assert_eq!(
        digest.text_content().unwrap_or_default(),
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    );
    let size = root
        .query_selector("[data-testid=size]")
        .unwrap()
        .expect("a size");
    assert_eq!(size.get_attribute("data-bytes"), Some("2".to_owned()));
}

#[wasm_bindgen_test]
fn the_panic_banner_shows_the_message_as_text_never_as_markup() {
    let document = window().document().expect("a document");
    let banner = document.create_element("div").expect("a div");
    banner.set_id("panic");
    banner.set_attribute("hidden", "").expect("hidden");
    document
        .body()
        .expect("a body")
        .append_child(&banner)
        .expect("attached");

    let message = "bad input: <img src=x onerror=alert(1)><b>bold</b>";
    digestlens::ui::panic::show_banner(message);

    assert!(!banner.has_attribute("hidden"), "the banner is shown");
    assert_eq!(
        banner.child_element_count(),
        0,
        "no element was made from the message"
    );
    let text = banner.text_content().unwrap_or_default();
    assert!(text.starts_with(message), "{text}");
    assert!(text.contains("Reload the page to continue."), "{text}");
    banner.remove();
}
