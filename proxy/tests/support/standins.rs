//! Small servers the tests run themselves on loopback: a token server issuing RS256 JWTs that a real
//! docker-registry (`auth.token`) verifies, a registry that redirects blob reads to storage (the way
//! Docker Hub sends them to its CDN), and that storage, which records the headers it receives.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use bytes::Bytes;
use http::request::Parts;
use http::{Response, StatusCode};
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use super::{background, scratch, spawn_watched};

pub const TOKEN_USER: &str = "digestlens";
pub const TOKEN_SERVICE: &str = "digestlens-proxy-test";
const TOKEN_ISSUER: &str = "digestlens-proxy-test-issuer";

type Handler = Arc<dyn Fn(&Parts) -> Response<Full<Bytes>> + Send + Sync>;

/// Serves `handler` on 127.0.0.1:`port` from the background runtime.
pub fn serve(port: u16, handler: Handler) {
    let listener = background()
        .block_on(async { tokio::net::TcpListener::bind(("127.0.0.1", port)).await })
        .unwrap_or_else(|e| panic!("bind 127.0.0.1:{port}: {e}"));
    background().spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = handler.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: http::Request<hyper::body::Incoming>| {
                    let handler = handler.clone();
                    async move {
                        let (parts, _) = request.into_parts();
                        Ok::<_, Infallible>(handler(&parts))
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}

fn answer(status: StatusCode, headers: &[(&str, String)], body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, value);
    }
    builder.body(Full::new(body.into())).expect("response")
}

/// The token server: issues a token for `digestlens:<password>` only, and remembers each token.
pub struct TokenServer {
    pub port: u16,
    pub cert: PathBuf,
    pub tokens: Arc<Mutex<Vec<String>>>,
}

impl TokenServer {
    pub fn start(port: u16, password: &str) -> TokenServer {
        let dir = scratch(&format!("token-{port}"));
        let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
        let out = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=digestlens-proxy-test",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let signer = Arc::new(ring::signature::RsaKeyPair::from_pkcs8(&pem_der(&key)).expect("pkcs8 key"));
        let cert_b64 = base64::engine::general_purpose::STANDARD.encode(pem_der(&cert));
        let tokens = Arc::new(Mutex::new(Vec::new()));
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{TOKEN_USER}:{password}"))
        );
        let issued = tokens.clone();
        serve(
            port,
            Arc::new(move |parts: &Parts| {
                let authorized = parts
                    .headers
                    .get("authorization")
                    .is_some_and(|v| v.as_bytes() == expected.as_bytes());
                if parts.uri.path() != "/token" || !authorized {
                    return answer(
                        StatusCode::UNAUTHORIZED,
                        &[],
                        r#"{"details":"wrong user name or password"}"#,
                    );
                }
                let token = issue(&signer, &cert_b64, parts.uri.query().unwrap_or(""));
                if let Ok(mut list) = issued.lock() {
                    list.push(token.clone());
                }
                let body = serde_json::json!({ "token": token, "expires_in": 300 }).to_string();
                answer(
                    StatusCode::OK,
                    &[("content-type", "application/json".into())],
                    body,
                )
            }),
        );
        TokenServer { port, cert, tokens }
    }

    pub fn realm(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }
}

fn pem_der(path: &Path) -> Vec<u8> {
    let text = fs::read_to_string(path).expect("read pem");
    let b64: String = text.lines().filter(|line| !line.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("pem base64")
}

/// An RS256 JWT in the shape distribution's token auth checks (issuer, audience, x5c, access).
fn issue(signer: &ring::signature::RsaKeyPair, cert_b64: &str, query: &str) -> String {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let access: Vec<serde_json::Value> = query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("scope="))
        .map(|scope| scope.replace("%3A", ":").replace("%2F", "/"))
        .filter_map(|scope| {
            let mut parts = scope.split(':');
            let (kind, name) = (parts.next()?, parts.next()?);
            (kind == "repository")
                .then(|| serde_json::json!({ "type": kind, "name": name, "actions": ["pull"] }))
        })
        .collect();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    let header = serde_json::json!({ "typ": "JWT", "alg": "RS256", "x5c": [cert_b64] });
    let claims = serde_json::json!({
        "iss": TOKEN_ISSUER, "sub": TOKEN_USER, "aud": TOKEN_SERVICE, "exp": now + 300, "nbf": now - 1,
        "iat": now, "jti": format!("{now}-{}", access.len()), "access": access,
    });
    let signed = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut signature = vec![0; signer.public().modulus_len()];
    signer
        .sign(
            &ring::signature::RSA_PKCS1_SHA256,
            &ring::rand::SystemRandom::new(),
            signed.as_bytes(),
            &mut signature,
        )
        .expect("sign");
    format!("{signed}.{}", b64(&signature))
}

/// A second docker-registry over `storage`, with distribution's token authentication; it runs until
/// the test binary exits.
pub fn start_token_registry(port: u16, storage: &Path, tokens: &TokenServer) {
    let dir = scratch(&format!("token-registry-{port}"));
    let config = dir.join("config.yml");
    fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  maintenance:\n    uploadpurging:\n      enabled: false\n\
http:\n  addr: 127.0.0.1:{port}\n  secret: digestlens-test-only-not-a-secret\n\
auth:\n  token:\n    realm: {}\n    service: {TOKEN_SERVICE}\n    issuer: {TOKEN_ISSUER}\n    rootcertbundle: {}\n",
            storage.display(),
            tokens.realm(),
            tokens.cert.display()
        ),
    )
    .expect("write config");
    let child = spawn_watched(
        Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.join("registry.log")).expect("log")),
    );
    // Reaped by its own thread; the watcher stops it when the test binary exits.
    std::thread::spawn(move || {
        let mut child = child;
        child.wait()
    });
    for _ in 0..100 {
        let status = Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                &format!("http://127.0.0.1:{port}/v2/"),
            ])
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).to_string())
            .unwrap_or_default();
        if status == "401" {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "token registry on {port} did not answer 401: {}",
        fs::read_to_string(dir.join("registry.log")).unwrap_or_default()
    );
}

/// A registry stand-in that answers blob reads with a 307: `/v2/app/…` to the storage stand-in,
/// `/v2/elsewhere/…` to a port nobody allowed, `/v2/forbidden/…` to 127.0.0.3, `/v2/named/…` to
/// the storage port by the name `localhost` (so the resolver, not the literal check, decides).
pub fn start_redirector(port: u16, storage: u16, unlisted: u16) {
    serve(
        port,
        Arc::new(move |parts: &Parts| {
            let path = parts.uri.path();
            let digest = path.rsplit('/').next().unwrap_or("");
            let target = if path.starts_with("/v2/app/blobs/") {
                format!("http://127.0.0.1:{storage}/blobs/{digest}")
            } else if path.starts_with("/v2/elsewhere/blobs/") {
                format!("http://127.0.0.1:{unlisted}/blobs/{digest}")
            } else if path.starts_with("/v2/forbidden/blobs/") {
                format!("http://127.0.0.3:{storage}/blobs/{digest}")
            } else if path.starts_with("/v2/named/blobs/") {
                format!("http://localhost:{storage}/blobs/{digest}")
            } else {
                return answer(
                    StatusCode::OK,
                    &[("content-type", "application/json".into())],
                    "{}",
                );
            };
            answer(StatusCode::TEMPORARY_REDIRECT, &[("location", target)], "")
        }),
    );
}

/// Blob storage: serves the given blobs by digest and records each request's `Authorization`.
pub struct Storage {
    pub seen_authorization: Arc<Mutex<Vec<Option<String>>>>,
}

pub fn start_storage(port: u16, blobs: HashMap<String, Vec<u8>>) -> Storage {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    serve(
        port,
        Arc::new(move |parts: &Parts| {
            let auth = parts
                .headers
                .get("authorization")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).to_string());
            if let Ok(mut list) = record.lock() {
                list.push(auth);
            }
            let digest = parts.uri.path().trim_start_matches("/blobs/");
            match blobs.get(digest) {
                Some(bytes) => answer(
                    StatusCode::OK,
                    &[
                        ("content-type", "application/octet-stream".into()),
                        ("content-length", bytes.len().to_string()),
                    ],
                    bytes.clone(),
                ),
                None => answer(StatusCode::NOT_FOUND, &[], ""),
            }
        }),
    );
    Storage {
        seen_authorization: seen,
    }
}

/// Accepts connections and never answers, like a registry that hangs.
pub fn start_silent(port: u16) {
    let listener = background()
        .block_on(async { tokio::net::TcpListener::bind(("127.0.0.1", port)).await })
        .unwrap_or_else(|e| panic!("bind 127.0.0.1:{port}: {e}"));
    background().spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
}

/// A registry that answers `200` with `Content-Length: claimed` and sends `chunks` one at a time,
/// `every` apart, then holds the connection open (a stalled body when `claimed` is more than it sent).
pub fn start_trickling(port: u16, chunks: Vec<Vec<u8>>, every: Duration, claimed: usize) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = background()
        .block_on(async { tokio::net::TcpListener::bind(("127.0.0.1", port)).await })
        .unwrap_or_else(|e| panic!("bind 127.0.0.1:{port}: {e}"));
    background().spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let chunks = chunks.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {claimed}\r\n\r\n"
                );
                if stream.write_all(answer.as_bytes()).await.is_err() {
                    return;
                }
                for chunk in chunks {
                    tokio::time::sleep(every).await;
                    if stream.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
                // Hold the connection: the proxy, not this stand-in, must end a stalled body.
                tokio::time::sleep(Duration::from_secs(60)).await;
            });
        }
    });
}
