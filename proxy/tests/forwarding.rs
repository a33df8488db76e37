//! Reads through the proxy from real docker-registry processes (no CORS headers): anonymous, behind a
//! token server, and through a blob redirect. Expected digests come from the registry's
//! `Docker-Content-Digest` and from `curl` + `sha256sum` reading the registry directly.

mod support;

use std::collections::HashMap;
use std::sync::OnceLock;

use support::image::{push_image, Pushed, ACCEPT};
use support::standins::{
    start_redirector, start_storage, start_token_registry, Storage, TokenServer, TOKEN_USER,
};
use support::{allow_plain, background, client, curl_direct, sha256, Ports, Proxy, Registry};

static PORTS: Ports = Ports::new(5710, 5740);
const PASSWORD: &str = "proxy-test-password-4f1c";

struct World {
    registry: Registry,
    image: Pushed,
    tokens: TokenServer,
    token_registry_port: u16,
    redirector_port: u16,
    storage_port: u16,
    storage: Storage,
    big_blob: Vec<u8>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    // Built on a plain thread: the setup blocks on the background runtime, which a test's runtime may not.
    WORLD.get_or_init(|| std::thread::spawn(build_world).join().expect("world setup"))
}

fn build_world() -> World {
    let registry = Registry::start(PORTS.take());
    let image = background().block_on(push_image(&registry.origin(), "demo/app", "1", 0));
    // A second repository, so the catalog has a next page.
    background().block_on(push_image(&registry.origin(), "demo/second", "1", 0));
    let tokens = TokenServer::start(PORTS.take(), PASSWORD);
    let token_registry_port = PORTS.take();
    start_token_registry(token_registry_port, &registry.storage(), &tokens);
    let (redirector_port, storage_port, unlisted) = (PORTS.take(), PORTS.take(), PORTS.take());
    start_redirector(redirector_port, storage_port, unlisted);
    let big_blob = support::image::pseudo_random(3 << 20, 99);
    let storage = start_storage(
        storage_port,
        HashMap::from([(sha256(&big_blob), big_blob.clone())]),
    );
    World {
        registry,
        image,
        tokens,
        token_registry_port,
        redirector_port,
        storage_port,
        storage,
        big_blob,
    }
}

/// A proxy allowed to reach the world's registries (each exactly, over plain http).
fn proxy(extra: &[&str]) -> Proxy {
    let w = world();
    let mut args = Vec::new();
    for port in [w.registry.port, w.token_registry_port, w.redirector_port] {
        args.extend(allow_plain(&format!("127.0.0.1:{port}")));
    }
    args.extend(["--plain-http".to_string(), format!("127.0.0.1:{}", w.tokens.port)]);
    args.extend([
        "--allow-blob-host".to_string(),
        format!("127.0.0.1:{}", w.storage_port),
    ]);
    args.extend([
        "--plain-http".to_string(),
        format!("127.0.0.1:{}", w.storage_port),
    ]);
    args.extend(extra.iter().map(ToString::to_string));
    Proxy::start(PORTS.take(), &args)
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn json(response: reqwest::Response) -> serde_json::Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn manifests_and_blobs_pass_through_byte_for_byte() {
    let w = world();
    let proxy = proxy(&[]);
    let repo = format!("{}/v2/{}", w.registry.origin(), w.image.repo);
    let mut paths = vec![
        format!("{repo}/manifests/1"),
        format!("{repo}/manifests/{}", w.image.manifest),
    ];
    paths.extend(
        w.image
            .blobs
            .iter()
            .map(|digest| format!("{repo}/blobs/{digest}")),
    );
    for upstream in paths {
        let direct = curl_direct(&upstream, ACCEPT, None);
        let through = client()
            .get(proxy.url(&upstream))
            .header("accept", ACCEPT)
            .send()
            .await
            .unwrap();
        assert_eq!(through.status(), 200, "{upstream}");
        let claimed = header(&through, "docker-content-digest");
        let length = header(&through, "content-length");
        let body = through.bytes().await.unwrap();
        assert_eq!(sha256(&body), format!("sha256:{}", direct.sha256), "{upstream}");
        assert_eq!(claimed, direct.docker_content_digest, "{upstream}");
        assert_eq!(claimed.as_deref(), Some(sha256(&body).as_str()), "{upstream}");
        assert_eq!(
            length,
            Some(direct.size.to_string()),
            "Content-Length kept for {upstream}"
        );
    }
    let top = client()
        .get(proxy.url(&format!("{repo}/manifests/1")))
        .header("accept", ACCEPT)
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&top, "docker-content-digest").as_deref(),
        Some(w.image.index.as_str())
    );
    assert_eq!(
        header(&top, "content-type").as_deref(),
        Some(support::image::OCI_INDEX)
    );
}

#[tokio::test]
async fn head_keeps_the_length_and_digest_and_range_passes_both_ways() {
    let w = world();
    let proxy = proxy(&[]);
    let blob = format!(
        "{}/v2/{}/blobs/{}",
        w.registry.origin(),
        w.image.repo,
        w.image.blobs[2]
    );
    let direct = curl_direct(&blob, "*/*", None);
    let head = client().head(proxy.url(&blob)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(header(&head, "content-length"), Some(direct.size.to_string()));
    assert_eq!(
        header(&head, "docker-content-digest").as_deref(),
        Some(w.image.blobs[2].as_str())
    );

    let whole = client()
        .get(proxy.url(&blob))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let part = client()
        .get(proxy.url(&blob))
        .header("range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(
        header(&part, "content-range"),
        Some(format!("bytes 100-199/{}", direct.size))
    );
    assert_eq!(part.bytes().await.unwrap(), whole.slice(100..200));
}

#[tokio::test]
async fn the_proxy_names_itself_and_serves_the_page() {
    let w = world();
    let proxy = proxy(&[]);
    let about = json(client().get(proxy.url("")).send().await.unwrap()).await;
    assert_eq!(about["proxy"], "digestlens-proxy");
    assert_eq!(about["version"], env!("CARGO_PKG_VERSION"));
    let registries = about["registries"].as_array().unwrap();
    assert!(registries.contains(&serde_json::json!("registry-1.docker.io")));
    assert!(registries.contains(&serde_json::json!(w.registry.host())));

    let page = client().get(format!("{}/", proxy.origin())).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(header(&page, "content-type").unwrap().starts_with("text/html"));
    let wasm = client()
        .get(format!("{}/page_bg.wasm", proxy.origin()))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&wasm, "content-type").as_deref(), Some("application/wasm"));
}

#[tokio::test]
async fn a_token_registry_is_read_through_the_proxy_and_no_secret_reaches_the_log() {
    let w = world();
    let proxy = proxy(&[]);
    let registry = format!("http://127.0.0.1:{}", w.token_registry_port);
    let manifest = format!("{registry}/v2/{}/manifests/1", w.image.repo);

    let challenge = client()
        .get(proxy.url(&manifest))
        .header("accept", ACCEPT)
        .send()
        .await
        .unwrap();
    assert_eq!(challenge.status(), 401);
    let www = header(&challenge, "www-authenticate").unwrap();
    let through_proxy = format!("realm=\"{}\"", proxy.url(&w.tokens.realm()));
    assert!(www.contains(&through_proxy), "realm not rewritten: {www}");

    let token_url = proxy.url(&format!(
        "{}?service=digestlens-proxy-test&scope=repository:{}:pull",
        w.tokens.realm(),
        w.image.repo
    ));
    let token = json(
        client()
            .get(&token_url)
            .basic_auth(TOKEN_USER, Some(PASSWORD))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let token = token["token"].as_str().unwrap().to_string();
    assert!(
        w.tokens.tokens.lock().unwrap().contains(&token),
        "the token came from the token server"
    );

    // The page prefixes every URL it asks for, the rewritten realm too: that works the same.
    let realm_as_given = &www[www.find("realm=\"").unwrap() + 7..];
    let realm_as_given = &realm_as_given[..realm_as_given.find('"').unwrap()];
    let prefixed_again = proxy.url(&format!(
        "{realm_as_given}?service=digestlens-proxy-test&scope=repository:{}:pull",
        w.image.repo
    ));
    let again = client()
        .get(&prefixed_again)
        .basic_auth(TOKEN_USER, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200, "a realm prefixed twice is unwrapped");

    let direct = curl_direct(&manifest, ACCEPT, Some(&token));
    let through = client()
        .get(proxy.url(&manifest))
        .header("accept", ACCEPT)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(through.status(), 200);
    assert_eq!(
        header(&through, "docker-content-digest").as_deref(),
        Some(w.image.index.as_str())
    );
    assert_eq!(
        sha256(&through.bytes().await.unwrap()),
        format!("sha256:{}", direct.sha256)
    );
    let blob = format!("{registry}/v2/{}/blobs/{}", w.image.repo, w.image.blobs[1]);
    let body = client()
        .get(proxy.url(&blob))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(sha256(&body), w.image.blobs[1]);

    let log = proxy.log_text();
    assert!(
        log.contains("/token -> 200"),
        "the token request went through the proxy: {log}"
    );
    for secret in [PASSWORD, token.as_str(), &token[token.len() - 40..]] {
        assert!(!log.contains(secret), "a secret reached the proxy's log");
    }
    assert!(
        !log.to_ascii_lowercase().contains("basic "),
        "an Authorization value reached the log"
    );
}

#[tokio::test]
async fn a_blob_redirect_is_followed_by_the_proxy_without_the_authorization() {
    let w = world();
    let proxy = proxy(&[]);
    let digest = sha256(&w.big_blob);
    let blob = format!("http://127.0.0.1:{}/v2/app/blobs/{digest}", w.redirector_port);
    let before = w.storage.seen_authorization.lock().unwrap().len();
    let response = client()
        .get(proxy.url(&blob))
        .bearer_auth("meant-for-the-registry")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the proxy followed the 307 itself");
    assert_eq!(
        header(&response, "content-length"),
        Some(w.big_blob.len().to_string())
    );
    assert_eq!(sha256(&response.bytes().await.unwrap()), digest);
    let seen = w.storage.seen_authorization.lock().unwrap().clone();
    assert_eq!(seen.len(), before + 1, "storage was asked once");
    assert_eq!(
        seen[before], None,
        "Authorization was not sent to the storage host"
    );
    assert!(proxy.log_text().contains("(1 redirects"), "{}", proxy.log_text());
}

#[tokio::test]
async fn an_allowed_origin_gets_cors_and_no_other_origin_does() {
    let w = world();
    let proxy = proxy(&["--allow-origin", "https://page.example"]);
    let manifest = proxy.url(&format!(
        "{}/v2/{}/manifests/1",
        w.registry.origin(),
        w.image.repo
    ));
    let preflight = client()
        .request(reqwest::Method::OPTIONS, &manifest)
        .header("origin", "https://page.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization, accept")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(
        header(&preflight, "access-control-allow-origin").as_deref(),
        Some("https://page.example")
    );
    assert!(header(&preflight, "access-control-allow-headers")
        .unwrap()
        .contains("Authorization"));

    let read = client()
        .get(&manifest)
        .header("origin", "https://page.example")
        .header("accept", ACCEPT)
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&read, "access-control-allow-origin").as_deref(),
        Some("https://page.example")
    );
    assert!(header(&read, "access-control-expose-headers")
        .unwrap()
        .contains("Docker-Content-Digest"));

    let other = client()
        .get(&manifest)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&other, "access-control-allow-origin"), None);
    let same_origin = client().get(&manifest).send().await.unwrap();
    assert_eq!(header(&same_origin, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_link_to_the_next_page_comes_back_through_the_proxy() {
    let w = world();
    let proxy = proxy(&[]);
    let catalog = format!("{}/v2/_catalog", w.registry.origin());
    let first = client()
        .get(proxy.url(&format!("{catalog}?n=1")))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let link = header(&first, "link").expect("the registry paginates with Link");
    let prefix = format!("<{}?", proxy.url(&catalog));
    assert!(
        link.starts_with(&prefix),
        "Link not rewritten through the proxy: {link}"
    );
    let next = link[1..link.find('>').unwrap()].to_string();
    let first = json(first).await;
    let second = json(client().get(&next).send().await.unwrap()).await;
    assert_eq!(first["repositories"], serde_json::json!(["demo/app"]));
    assert_eq!(second["repositories"], serde_json::json!(["demo/second"]));
}

#[test]
fn the_help_explains_each_flag_of_the_documented_command_line() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_digestlens-proxy"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--listen",
        "--static",
        "--allow-registry",
        "--plain-http",
        "--allow-origin",
    ] {
        assert!(help.contains(flag), "--help does not explain {flag}:\n{help}");
    }
    assert!(
        !help.contains("--forbid-range"),
        "the test-only flag stays hidden"
    );
}
