//! `digestlens-proxy`: serves the built Digest Lens page and forwards its registry reads, so a page
//! and the registries it reads share one origin and no registry needs CORS. See docs/proxy.md.

mod address;
mod cli;
mod cors;
mod forward;
mod headers;
mod hosts;
mod limits;
mod policy;
mod refusal;
mod relay;
mod response;
mod server;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use tower_http::services::ServeDir;

use crate::address::ForbiddenRanges;
use crate::cli::Cli;
use crate::cors::Cors;
use crate::forward::{Timeouts, Upstream};
use crate::limits::RateLimiter;
use crate::policy::{Policy, Rules};
use crate::server::App;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // One thread runs every connection: a forwarded body passes from the upstream connection's task
    // to the client's on the same thread, where a multi-threaded runtime woke another thread for
    // each chunk (proxy/bench/throughput.sh: 0.49 -> 0.30 s of CPU per GiB). A blob takes about
    // 0.3 s of one core per GiB, well above what a registry on the internet delivers; file reads and
    // DNS lookups still go to tokio's blocking pool.
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("digestlens-proxy: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("digestlens-proxy: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(cli: Cli) -> Result<(), String> {
    if !cli.static_dir.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html; build the page first (trunk build --release)",
            cli.static_dir.display()
        ));
    }
    let forbidden = if cli.forbid_range.is_empty() {
        ForbiddenRanges::defaults()
    } else {
        ForbiddenRanges::new(cli.forbid_range.clone())
    };
    let rules = Rules {
        registries: cli.allow_registry,
        blob_hosts: cli.allow_blob_host,
        plain_http: cli.plain_http,
    };
    let policy = Arc::new(Policy::new(rules, forbidden));
    let timeouts = Timeouts {
        connect: Duration::from_secs(cli.connect_timeout),
        first_byte: Duration::from_secs(cli.first_byte_timeout),
        idle: Duration::from_secs(cli.idle_timeout),
        queue: Duration::from_secs(30),
    };
    let upstream = Upstream::new(policy.clone(), cli.max_concurrent, timeouts);
    let app = App {
        policy,
        upstream,
        limiter: RateLimiter::new(cli.rate_limit),
        statics: ServeDir::new(&cli.static_dir),
        cors: Cors::new(cli.allow_origin),
    };
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", cli.listen))?;
    let local = listener.local_addr().map_err(|error| error.to_string())?;
    eprintln!(
        "digestlens-proxy {} serving {} on http://{local}/ (proxy at /proxy/)",
        env!("CARGO_PKG_VERSION"),
        cli.static_dir.display()
    );
    tokio::select! {
        () = server::run(listener, Arc::new(app)) => Ok(()),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
