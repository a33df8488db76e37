//! Real parts for the proxy tests: Debian's docker-registry started through scripts/registry, images
//! pushed to it over the registry API (layers made by GNU tar and gzip), the proxy binary itself, and
//! small stand-ins written here (token server, redirecting registry, blob storage).
//!
//! Every process started here is watched by a shell that stops it when the test binary exits, so a
//! failing test leaves no registry behind. Only 127.0.0.0/8 is ever contacted.

// Each test binary uses a different part of these helpers.
#![allow(dead_code)]

pub mod image;
pub mod standins;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const REPO_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Fails loudly when a tool the tests need is missing: a skipped proxy test would prove nothing.
pub fn require_tool(name: &str) {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output();
    assert!(
        found.is_ok_and(|out| out.status.success()),
        "{name} is not installed; run scripts/setup --with-tests (the proxy tests need it)"
    );
}

/// A scratch directory unique to this test binary and purpose, removed when the binary exits.
pub fn scratch(name: &str) -> PathBuf {
    let dir = fresh_dir(name);
    watch(&format!("rm -rf '{}'", dir.display()));
    dir
}

/// The same, for a caller whose own cleanup removes it (after using what is inside).
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("digestlens-proxy-test-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Runs `cleanup` (a shell command) once this test process has exited.
pub fn watch(cleanup: &str) {
    let script = format!(
        "while kill -0 {} 2>/dev/null; do sleep 0.2; done; {cleanup}",
        std::process::id()
    );
    let mut watcher = Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the cleanup watcher");
    std::thread::spawn(move || watcher.wait());
}

/// A child process stopped with the test binary.
pub fn spawn_watched(command: &mut Command) -> Child {
    let child = command.spawn().expect("spawn");
    watch(&format!("kill {} 2>/dev/null", child.id()));
    child
}

/// Ports for one test binary, from its own block of the 5700-5799 range.
pub struct Ports {
    next: AtomicU16,
    end: u16,
}

impl Ports {
    pub const fn new(start: u16, end: u16) -> Self {
        Ports {
            next: AtomicU16::new(start),
            end,
        }
    }

    pub fn take(&self) -> u16 {
        let port = self.next.fetch_add(1, Ordering::SeqCst);
        assert!(port < self.end, "this test binary ran out of its ports");
        port
    }
}

/// A docker-registry (distribution 2.8.2) on 127.0.0.1, without any CORS header.
pub struct Registry {
    pub port: u16,
    pub state_dir: PathBuf,
}

impl Registry {
    pub fn start(port: u16) -> Registry {
        require_tool("docker-registry");
        wait_port_free(port);
        // Not `scratch`: the state dir holds the pid file that `stop` needs, so it goes after the stop.
        let state_dir = fresh_dir(&format!("registry-{port}"));
        let script = Path::new(REPO_ROOT).join("scripts/registry");
        let out = Command::new(&script)
            .arg("start")
            .env("PORT", port.to_string())
            .env("STATE_DIR", &state_dir)
            .env("MODE", "nocors")
            .output()
            .expect("run scripts/registry");
        assert!(
            out.status.success(),
            "registry did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        watch(&format!(
            "PORT={port} STATE_DIR='{dir}' '{}' stop; rm -rf '{dir}'",
            script.display(),
            dir = state_dir.display()
        ));
        Registry { port, state_dir }
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn storage(&self) -> PathBuf {
        self.state_dir.join("storage")
    }
}

/// A registry from a previous run of the same test binary may still be stopping on this port.
fn wait_port_free(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What `curl` reads directly from the registry: the body's sha256 by `sha256sum` and the headers.
pub struct DirectRead {
    pub sha256: String,
    pub size: u64,
    pub docker_content_digest: Option<String>,
}

pub fn curl_direct(url: &str, accept: &str, bearer: Option<&str>) -> DirectRead {
    let dir = scratch(&format!("curl-{}", COUNTER.fetch_add(1, Ordering::SeqCst)));
    let body = dir.join("body");
    let mut command = Command::new("curl");
    command
        .args(["-sS", "--fail", "-D", "-", "-o"])
        .arg(&body)
        .args(["-H", &format!("Accept: {accept}")]);
    if let Some(token) = bearer {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    let out = command.arg(url).output().expect("run curl");
    assert!(
        out.status.success(),
        "curl {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let headers = String::from_utf8_lossy(&out.stdout).to_string();
    let digest = headers.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("docker-content-digest")
            .then(|| value.trim().to_string())
    });
    let sum = Command::new("sha256sum")
        .arg(&body)
        .output()
        .expect("run sha256sum");
    let sha256 = String::from_utf8_lossy(&sum.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let size = fs::metadata(&body).map(|m| m.len()).unwrap_or(0);
    let _ = fs::remove_dir_all(&dir);
    DirectRead {
        sha256,
        size,
        docker_content_digest: digest,
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The proxy binary under test, its stderr captured in a file.
pub struct Proxy {
    child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Proxy {
    pub fn start(port: u16, args: &[String]) -> Proxy {
        let dir = scratch(&format!("proxy-{port}"));
        let statics = dir.join("dist");
        fs::create_dir_all(&statics).expect("dist");
        fs::write(
            statics.join("index.html"),
            "<!doctype html><title>Digest Lens</title>\n",
        )
        .expect("index");
        fs::write(statics.join("page_bg.wasm"), b"\0asm\x01\0\0\0").expect("wasm");
        let log = dir.join("proxy.log");
        let child = spawn_watched(
            Command::new(env!("CARGO_BIN_EXE_digestlens-proxy"))
                .arg("--listen")
                .arg(format!("127.0.0.1:{port}"))
                .arg("--static")
                .arg(&statics)
                .args(args)
                .stdout(Stdio::null())
                .stderr(fs::File::create(&log).expect("log file")),
        );
        let mut proxy = Proxy { child, port, log };
        proxy.wait_ready();
        proxy
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("proxy exited with {status}: {}", self.log_text());
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("proxy did not listen on {}: {}", self.port, self.log_text());
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The prefix form: `http://127.0.0.1:PORT/proxy/<upstream URL>`.
    pub fn url(&self, upstream: &str) -> String {
        format!("{}/proxy/{upstream}", self.origin())
    }

    pub fn log_text(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = fs::File::open(&self.log) {
            let _ = file.read_to_string(&mut text);
        }
        text
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident memory of the proxy process (VmHWM from /proc), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        let status = fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tokio runtime on its own thread that outlives each test's runtime, for shared stand-in servers.
pub fn background() -> &'static tokio::runtime::Handle {
    static HANDLE: OnceLock<tokio::runtime::Handle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let handle = runtime.handle().clone();
        std::thread::spawn(move || runtime.block_on(std::future::pending::<()>()));
        handle
    })
}

/// The flags that allow the upstream `host` (`HOST:PORT`) exactly, over plain http: how every
/// test allows its loopback registries and stand-ins.
pub fn allow_plain(host: &str) -> Vec<String> {
    ["--allow-registry", host, "--plain-http", host]
        .map(String::from)
        .to_vec()
}

/// sha256 of bytes as `sha256:<hex>` (sha2, not the proxy's code).
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(bytes);
    format!(
        "sha256:{}",
        hash.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// A client that talks only to the proxy (no decompression, no redirects, no system proxy).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client")
}
