//! The command line, as operators and the outside checks run it.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use ipnet::IpNet;

use crate::cors::Origin;
use crate::hosts::HostRule;

/// Serves the Digest Lens page and forwards its registry reads, byte for byte, to an allow list of
/// registries. Only GET and HEAD under /v2/, the token realms those registries announce, and the blob
/// redirects they answer with are forwarded; never to loopback, private, link-local or other internal
/// addresses unless that exact HOST:PORT is named on this command line.
#[derive(Debug, Parser)]
#[command(name = "digestlens-proxy", version, max_term_width = 100)]
pub struct Cli {
    /// Address and port to listen on (0.0.0.0:8080 inside a container).
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: SocketAddr,

    /// Directory with the built page (`trunk build --release` writes dist/); served at /.
    #[arg(long = "static", value_name = "DIR")]
    pub static_dir: PathBuf,

    /// Also forward to this registry (repeatable), besides the built-in public ones (Docker Hub,
    /// ghcr.io, quay.io, gcr.io, *.pkg.dev, public.ecr.aws, mcr.microsoft.com, registry.k8s.io,
    /// registry.gitlab.com, nvcr.io). Without a port any port matches; with a port, exactly that one,
    /// and then the address may be internal (e.g. --allow-registry 127.0.0.1:5000 for a local registry).
    #[arg(long = "allow-registry", value_name = "HOST[:PORT]")]
    pub allow_registry: Vec<HostRule>,

    /// Reach this host over plain http instead of https (repeatable). Give it with --allow-registry too
    /// (a token server on plain http needs only this flag).
    #[arg(long = "plain-http", value_name = "HOST[:PORT]")]
    pub plain_http: Vec<HostRule>,

    /// Let a page served from this origin (e.g. https://digestlens.example) use the proxy from another
    /// origin (repeatable). Exactly that origin is allowed, never '*'. Not needed for the page this
    /// proxy serves itself.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<Origin>,

    /// Follow blob redirects to this storage host (repeatable), besides the registries and the
    /// built-in CDNs and object stores of the public registries.
    #[arg(long = "allow-blob-host", value_name = "HOST[:PORT]")]
    pub allow_blob_host: Vec<HostRule>,

    /// Requests per second each client (IP address) may make through the proxy; bursts of twice that.
    #[arg(long = "rate-limit", value_name = "N", default_value_t = 50)]
    pub rate_limit: u32,

    /// Upstream exchanges in flight at once; more wait up to 30 s, then get 503.
    #[arg(long = "max-concurrent", value_name = "N", default_value_t = 64)]
    pub max_concurrent: usize,

    /// Seconds to connect to a registry.
    #[arg(long = "connect-timeout", value_name = "SECS", default_value_t = 10)]
    pub connect_timeout: u64,

    /// Seconds from sending a request to the registry's response head.
    #[arg(long = "first-byte-timeout", value_name = "SECS", default_value_t = 60)]
    pub first_byte_timeout: u64,

    /// Seconds a response body may stall between two chunks.
    #[arg(long = "idle-timeout", value_name = "SECS", default_value_t = 60)]
    pub idle_timeout: u64,

    /// Tests only: the forbidden address ranges, replacing the built-in list (repeatable CIDR).
    #[arg(long = "forbid-range", value_name = "CIDR", hide = true)]
    pub forbid_range: Vec<IpNet>,
}
