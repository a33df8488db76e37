//! Each refusal, with its status and the sentence that names the host, the rule and the flag that
//! would allow it. Upstreams are stand-ins on loopback; 127.0.0.3 plays the forbidden address.

mod support;

use std::sync::OnceLock;

use support::standins::{start_redirector, start_silent, start_trickling};
use support::{allow_plain, client, sha256, Ports, Proxy};

static PORTS: Ports = Ports::new(5740, 5770);

struct World {
    redirector: u16,
    unlisted: u16,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        std::thread::spawn(|| {
            let (redirector, storage, unlisted) = (PORTS.take(), PORTS.take(), PORTS.take());
            start_redirector(redirector, storage, unlisted);
            World { redirector, unlisted }
        })
        .join()
        .expect("world setup")
    })
}

/// A proxy that allows the redirecting stand-in exactly, over plain http.
fn proxy(extra: &[&str]) -> Proxy {
    let mut args = allow_plain(&format!("127.0.0.1:{}", world().redirector));
    args.extend(extra.iter().map(ToString::to_string));
    Proxy::start(PORTS.take(), &args)
}

/// Status and the `{"error","why"}` body of a refusal.
async fn refusal(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    (
        status,
        body["error"].as_str().unwrap().to_string(),
        body["why"].as_str().unwrap().to_string(),
    )
}

async fn get(url: &str) -> (u16, String, String) {
    refusal(client().get(url).send().await.unwrap()).await
}

fn stand_in(path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", world().redirector)
}

#[tokio::test]
async fn writes_are_refused_with_405() {
    let proxy = proxy(&[]);
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = client()
            .request(method.clone(), proxy.url(&stand_in("/v2/app/blobs/uploads/")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers().get("allow").unwrap(), "GET, HEAD, OPTIONS");
        let (status, error, why) = refusal(response).await;
        assert_eq!((status, error.as_str()), (405, "method not allowed"));
        assert!(why.contains(&format!("{method} is not forwarded")), "{why}");
    }
}

#[tokio::test]
async fn a_path_outside_v2_is_refused() {
    let proxy = proxy(&[]);
    let (status, error, why) = get(&proxy.url(&stand_in("/debug/vars"))).await;
    assert_eq!((status, error.as_str()), (403, "path outside /v2/"));
    assert!(
        why.contains(&format!("127.0.0.1:{}", world().redirector)) && why.contains("/debug/vars"),
        "{why}"
    );
}

#[tokio::test]
async fn a_registry_not_on_the_allow_list_is_refused_naming_the_flag() {
    let proxy = proxy(&[]);
    let unlisted = world().unlisted;
    let (status, error, why) = get(&proxy.url(&format!("http://127.0.0.1:{unlisted}/v2/"))).await;
    assert_eq!((status, error.as_str()), (403, "registry not allowed"));
    assert!(
        why.contains(&format!("--allow-registry 127.0.0.1:{unlisted}")),
        "{why}"
    );
}

#[tokio::test]
async fn plain_http_is_refused_unless_the_host_is_given_with_plain_http() {
    let host = format!("127.0.0.1:{}", world().redirector);
    let proxy = Proxy::start(PORTS.take(), &["--allow-registry".to_string(), host.clone()]);
    let (status, error, why) = get(&proxy.url(&stand_in("/v2/"))).await;
    assert_eq!((status, error.as_str()), (403, "plain http not allowed"));
    assert!(why.contains(&format!("--plain-http {host}")), "{why}");
}

#[tokio::test]
async fn a_redirect_to_a_host_not_allowed_is_refused() {
    let proxy = proxy(&[]);
    let (status, error, why) = get(&proxy.url(&stand_in("/v2/elsewhere/blobs/sha256:00"))).await;
    assert_eq!((status, error.as_str()), (403, "redirect not allowed"));
    assert!(
        why.contains(&format!("--allow-blob-host 127.0.0.1:{}", world().unlisted)),
        "{why}"
    );
}

#[tokio::test]
async fn a_token_realm_nobody_announced_is_refused() {
    let proxy = proxy(&["--plain-http", "127.0.0.1"]);
    let realm = format!(
        "http://127.0.0.1:{}/token?service=x&scope=repository:app:pull",
        world().unlisted
    );
    let (status, error, why) = get(&proxy.url(&realm)).await;
    assert_eq!((status, error.as_str()), (403, "token realm not announced"));
    assert!(
        why.contains(&format!("http://127.0.0.1:{}/token", world().unlisted)),
        "{why}"
    );
    assert!(!why.contains("scope="), "the query is not echoed: {why}");
}

#[tokio::test]
async fn a_forbidden_address_is_refused_before_connecting_redirects_included() {
    let w = world();
    let proxy = proxy(&[
        "--forbid-range",
        "127.0.0.3/32",
        "--allow-registry",
        "127.0.0.3",
        "--plain-http",
        "127.0.0.3",
        "--allow-blob-host",
        "127.0.0.3",
    ]);
    let (status, error, why) = get(&proxy.url(&format!("http://127.0.0.3:{}/v2/", w.redirector))).await;
    assert_eq!((status, error.as_str()), (403, "forbidden address"));
    assert!(
        why.contains("127.0.0.3") && why.contains("--allow-registry"),
        "{why}"
    );

    let (status, error, _) = get(&proxy.url(&stand_in("/v2/forbidden/blobs/sha256:00"))).await;
    assert_eq!(
        (status, error.as_str()),
        (403, "forbidden address"),
        "a redirect to 127.0.0.3 is checked too"
    );
}

#[tokio::test]
async fn a_redirect_to_a_name_that_resolves_to_loopback_is_refused_by_the_resolver() {
    // The redirect names `localhost`, not an address: only the resolver the client connects
    // with can see that it is loopback (forbidden by default; a host without a port lifts nothing).
    let proxy = proxy(&["--allow-blob-host", "localhost", "--plain-http", "localhost"]);
    let (status, error, why) = get(&proxy.url(&stand_in("/v2/named/blobs/sha256:00"))).await;
    assert_eq!((status, error.as_str()), (403, "forbidden address"));
    assert!(why.contains("localhost"), "{why}");
}

#[tokio::test]
async fn a_name_that_resolves_to_loopback_is_refused_by_default() {
    let proxy = Proxy::start(
        PORTS.take(),
        &[
            "--allow-registry".into(),
            "localhost".into(),
            "--plain-http".into(),
            "localhost".into(),
        ],
    );
    let (status, error, why) = get(&proxy.url(&format!("http://localhost:{}/v2/", world().redirector))).await;
    assert_eq!((status, error.as_str()), (403, "forbidden address"));
    assert!(
        why.contains(&format!("localhost:{}", world().redirector)),
        "{why}"
    );
}

#[tokio::test]
async fn naming_the_exact_host_and_port_lifts_the_address_check() {
    let w = world();
    let exact = format!("127.0.0.3:{}", w.redirector);
    let proxy = proxy(&[
        "--forbid-range",
        "127.0.0.3/32",
        "--allow-registry",
        &exact,
        "--plain-http",
        &exact,
    ]);
    // Nothing listens on 127.0.0.3, so getting past the check means trying to connect.
    let (status, error, why) = get(&proxy.url(&format!("http://{exact}/v2/"))).await;
    assert_eq!((status, error.as_str()), (502, "registry unreachable"));
    assert!(why.contains(&exact), "{why}");
}

#[tokio::test]
async fn a_name_whose_addresses_pass_the_check_is_reached_on_its_port() {
    // `localhost` allowed by name (not an exact host:port): the checking resolver answers, and with
    // only 127.0.0.3 forbidden its loopback addresses pass and the stand-in's port is the one used.
    let proxy = proxy(&[
        "--forbid-range",
        "127.0.0.3/32",
        "--allow-registry",
        "localhost",
        "--plain-http",
        "localhost",
    ]);
    let url = proxy.url(&format!("http://localhost:{}/v2/", world().redirector));
    let response = client().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"{}");
}

#[tokio::test]
async fn request_headers_too_large_are_refused_with_431() {
    let proxy = proxy(&[]);
    let big = "a".repeat(20 * 1024);
    let response = client()
        .get(proxy.url(&stand_in("/v2/")))
        .header("x-padding", big)
        .send()
        .await
        .unwrap();
    let (status, error, why) = refusal(response).await;
    assert_eq!((status, error.as_str()), (431, "request headers too large"));
    assert!(why.contains("at most 16384"), "{why}");
    let huge = "a".repeat(100 * 1024);
    let response = client()
        .get(proxy.url(&stand_in("/v2/")))
        .header("x-padding", huge)
        .send()
        .await;
    assert!(
        response.is_err() || response.unwrap().status() == 431,
        "a head beyond the read buffer is cut off"
    );
}

#[tokio::test]
async fn urls_that_carry_credentials_or_other_schemes_are_refused() {
    let proxy = proxy(&[]);
    let (status, error, _) = get(&proxy.url(&format!(
        "http://user:secret@127.0.0.1:{}/v2/",
        world().redirector
    )))
    .await;
    assert_eq!((status, error.as_str()), (400, "credentials in URL"));
    let (status, error, _) = get(&proxy.url("file:///etc/passwd")).await;
    assert_eq!((status, error.as_str()), (400, "scheme not supported"));
    assert!(
        !proxy.log_text().contains("secret"),
        "credentials in a URL never reach the log"
    );
}

#[tokio::test]
async fn a_registry_that_never_answers_gets_504() {
    let silent = PORTS.take();
    std::thread::spawn(move || start_silent(silent)).join().unwrap();
    let host = format!("127.0.0.1:{silent}");
    let mut args = allow_plain(&host);
    args.extend(["--first-byte-timeout".to_string(), "1".to_string()]);
    let proxy = Proxy::start(PORTS.take(), &args);
    let started = std::time::Instant::now();
    let (status, error, why) = get(&proxy.url(&format!("http://{host}/v2/"))).await;
    assert_eq!((status, error.as_str()), (504, "registry timed out"));
    assert!(why.contains(&host), "{why}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

/// Four 64 KiB chunks of a known pattern and their sha256 (from sha2, not the proxy's code).
fn trickle_chunks() -> (Vec<Vec<u8>>, String) {
    let chunks: Vec<Vec<u8>> = (0..4u8)
        .map(|i| (0..65536u32).map(|j| (j as u8) ^ i.wrapping_mul(37)).collect())
        .collect();
    let digest = sha256(&chunks.concat());
    (chunks, digest)
}

fn trickling_proxy(chunks: Vec<Vec<u8>>, claimed: usize) -> (Proxy, String) {
    let port = PORTS.take();
    std::thread::spawn(move || start_trickling(port, chunks, std::time::Duration::from_millis(600), claimed))
        .join()
        .unwrap();
    let host = format!("127.0.0.1:{port}");
    let mut args = allow_plain(&host);
    args.extend(["--idle-timeout".to_string(), "1".to_string()]);
    let proxy = Proxy::start(PORTS.take(), &args);
    let url = proxy.url(&format!("http://{host}/v2/app/blobs/sha256:{}", "0".repeat(64)));
    (proxy, url)
}

#[tokio::test]
async fn a_body_whose_chunks_keep_coming_outlives_the_idle_timeout() {
    let (chunks, expected) = trickle_chunks();
    let (_proxy, url) = trickling_proxy(chunks, 4 * 65536);
    // 4 chunks 0.6 s apart: 2.4 s in all, longer than the 1 s idle timeout, never idle for 1 s.
    let body = client().get(&url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!((body.len(), sha256(&body)), (4 * 65536, expected));
}

#[tokio::test]
async fn a_body_that_stalls_is_cut_off_after_the_idle_timeout() {
    let (chunks, _) = trickle_chunks();
    let (proxy, url) = trickling_proxy(chunks[..2].to_vec(), 4 * 65536);
    let started = std::time::Instant::now();
    let mut response = client().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let mut received = 0;
    let ended = loop {
        match response.chunk().await {
            Ok(Some(chunk)) => received += chunk.len(),
            Ok(None) => break "complete",
            Err(_) => break "cut off",
        }
    };
    assert_eq!((ended, received), ("cut off", 2 * 65536));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // The upstream slot was freed: the proxy still answers.
    let describe = client().get(proxy.url("")).send().await.unwrap();
    assert_eq!(describe.status(), 200);
}
