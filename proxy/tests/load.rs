//! The proxy under load, bounded: 200 concurrent reads (manifests and a 64 MiB blob) with bounded
//! memory, the per-client rate limit, and clients that hang up in the middle of a blob.

mod support;

use std::sync::OnceLock;
use std::time::Duration;

use futures_util::StreamExt;
use support::image::{push_image, Pushed, ACCEPT};
use support::{allow_plain, background, client, sha256, Ports, Proxy, Registry};

static PORTS: Ports = Ports::new(5770, 5790);
const BIG: usize = 64 << 20;

struct World {
    registry: Registry,
    image: Pushed,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        std::thread::spawn(|| {
            let registry = Registry::start(PORTS.take());
            let image = background().block_on(push_image(&registry.origin(), "demo/load", "1", BIG));
            World { registry, image }
        })
        .join()
        .expect("world setup")
    })
}

fn proxy(extra: &[&str]) -> Proxy {
    let mut args = allow_plain(&world().registry.host());
    args.extend(extra.iter().map(ToString::to_string));
    Proxy::start(PORTS.take(), &args)
}

fn manifest_url(proxy: &Proxy) -> String {
    let w = world();
    proxy.url(&format!(
        "{}/v2/{}/manifests/{}",
        w.registry.origin(),
        w.image.repo,
        w.image.manifest
    ))
}

fn big_url(proxy: &Proxy) -> String {
    let w = world();
    proxy.url(&format!(
        "{}/v2/{}/blobs/{}",
        w.registry.origin(),
        w.image.repo,
        w.image.big.as_deref().unwrap()
    ))
}

/// Reads a body to the end without keeping it: its length and, if asked, its sha256.
async fn drain(response: reqwest::Response, hash: bool) -> (usize, Option<String>) {
    use sha2::Digest;
    let mut hasher = hash.then(sha2::Sha256::new);
    let mut stream = response.bytes_stream();
    let mut total = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.expect("body chunk");
        total += chunk.len();
        if let Some(h) = hasher.as_mut() {
            h.update(&chunk);
        }
    }
    let digest = hasher.map(|h| {
        format!(
            "sha256:{}",
            h.finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        )
    });
    (total, digest)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_reads_pass_with_bounded_memory() {
    let w = world();
    let proxy = proxy(&["--rate-limit", "10000", "--max-concurrent", "64"]);
    let client = client();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let (client, big) = (client.clone(), i % 20 == 0);
            let url = if big {
                big_url(&proxy)
            } else {
                manifest_url(&proxy)
            };
            tokio::spawn(async move {
                let response = client
                    .get(url)
                    .header("accept", ACCEPT)
                    .send()
                    .await
                    .expect("send");
                assert_eq!(response.status(), 200);
                let claimed = response.headers()["docker-content-digest"]
                    .to_str()
                    .unwrap()
                    .to_string();
                // Hash the manifests and one of the big blobs; count the bytes of the others.
                let (len, digest) = drain(response, !big || i == 0).await;
                (big, len, claimed, digest)
            })
        })
        .collect();
    let mut big_reads = 0;
    for task in tasks {
        let (big, len, claimed, digest) = task.await.expect("task");
        if big {
            big_reads += 1;
            assert_eq!(len, BIG);
            assert_eq!(claimed, w.image.big.clone().unwrap());
        } else {
            assert_eq!(claimed, w.image.manifest);
        }
        if let Some(digest) = digest {
            assert_eq!(digest, claimed, "body hashes to the registry's digest");
        }
    }
    assert_eq!(big_reads, 10);
    let peak_mib = proxy.peak_rss_kib() / 1024;
    eprintln!("proxy peak RSS after 200 concurrent reads: {peak_mib} MiB");
    // Ten 64 MiB blobs in flight: buffering even one of them whole would show here.
    assert!(peak_mib > 0 && peak_mib < 64, "proxy peak RSS {peak_mib} MiB");
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let proxy = proxy(&["--rate-limit", "2"]);
    let mut limited = None;
    for _ in 0..12 {
        let response = client()
            .get(manifest_url(&proxy))
            .header("accept", ACCEPT)
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status(), 200);
    }
    let limited = limited.expect("a burst beyond the limit is answered 429");
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1, "Retry-After {retry}");
    let body: serde_json::Value = serde_json::from_slice(&limited.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"], "rate limited");
    tokio::time::sleep(Duration::from_secs(retry)).await;
    let again = client()
        .get(manifest_url(&proxy))
        .header("accept", ACCEPT)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200, "served again after Retry-After");
}

#[tokio::test]
async fn clients_that_hang_up_mid_blob_leave_the_proxy_serving() {
    let w = world();
    // Two upstream slots: a slot not given back by a hung-up download would block the third one.
    let proxy = proxy(&["--max-concurrent", "2"]);
    for _ in 0..8 {
        let response = client().get(big_url(&proxy)).send().await.unwrap();
        let mut stream = response.bytes_stream();
        let first = stream.next().await.expect("a first chunk").expect("chunk");
        assert!(!first.is_empty());
        drop(stream);
    }
    let read = async {
        let manifest = client()
            .get(manifest_url(&proxy))
            .header("accept", ACCEPT)
            .send()
            .await
            .unwrap();
        let manifest = manifest.bytes().await.unwrap();
        let blob = client().get(big_url(&proxy)).send().await.unwrap();
        (manifest, drain(blob, false).await.0)
    };
    let (manifest, blob_len) = tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("proxy still serving");
    assert_eq!(sha256(&manifest), w.image.manifest);
    assert_eq!(blob_len, BIG);
}
