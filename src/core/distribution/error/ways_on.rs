//! What the user can do when the page cannot read a registry: the commands that print a
//! document's bytes for pasting, and the CORS settings that let the page fetch it.

use super::WayOn;
use crate::core::digest::Digest;
use crate::core::distribution::{manifest_url, MANIFEST_ACCEPT};
use crate::core::reference::{Reference, Scheme};

/// distribution's `http.headers` setting that lets `origin` read manifests and blobs.
pub fn distribution_cors_config(origin: &str) -> String {
    format!(
        "http:\n  headers:\n    Access-Control-Allow-Origin: ['{origin}']\n    \
         Access-Control-Allow-Methods: ['HEAD', 'GET', 'OPTIONS']\n    \
         Access-Control-Allow-Headers: ['Authorization', 'Accept']\n    \
         Access-Control-Expose-Headers: ['Docker-Content-Digest', 'WWW-Authenticate']\n"
    )
}

/// zot's setting (`http.allowOrigin`, comma-separated origins) for the same.
pub fn zot_cors_config(origin: &str) -> String {
    format!("\"http\": {{ \"allowOrigin\": \"{origin}\" }}")
}

/// Commands that print the raw manifest bytes of `reference`, for pasting into this page.
/// Pinned references use `name@digest` only: skopeo rejects a tag and digest together.
pub fn ways_on(reference: &Reference) -> Vec<WayOn> {
    let target = match reference.digest() {
        Some(digest) => format!("{}@{digest}", reference.name()),
        None => format!("{}:{}", reference.name(), reference.manifest_target()),
    };
    let r = shell_quote(&target);
    let plain = reference.scheme() == Scheme::Http;
    let host = shell_quote(reference.registry());
    let insecure = |flag: &str| {
        if plain {
            format!(" {flag}")
        } else {
            String::new()
        }
    };
    let regctl_tls = if plain {
        format!("regctl registry set --tls disabled {host} && ")
    } else {
        String::new()
    };
    let url = shell_quote(&manifest_url(reference, None));
    let accept = shell_quote(&format!("Accept: {MANIFEST_ACCEPT}"));
    let curl = if reference.registry() == "docker.io" {
        let token_url = shell_quote(&format!(
            "https://auth.docker.io/token?service=registry.docker.io&scope=repository:{}:pull",
            reference.repository()
        ));
        format!(
            "TOKEN=$(curl -fsSL {token_url} | jq -r .token) && \
             curl -fsSL -H \"Authorization: Bearer $TOKEN\" -H {accept} {url}"
        )
    } else {
        format!("curl -fsSL -H {accept} {url}")
    };
    vec![
        WayOn {
            tool: "crane",
            command: format!("crane manifest{} {r}", insecure("--insecure")),
        },
        WayOn {
            tool: "regctl",
            command: format!("{regctl_tls}regctl manifest get {r} --format raw-body"),
        },
        WayOn {
            tool: "skopeo",
            command: format!(
                "skopeo inspect{} --raw {}",
                insecure("--tls-verify=false"),
                shell_quote(&format!("docker://{target}"))
            ),
        },
        WayOn {
            tool: "oras",
            command: format!("oras manifest fetch{} {r}", insecure("--plain-http")),
        },
        WayOn {
            tool: "curl",
            command: curl,
        },
    ]
}

/// Commands that download blob `digest` of `reference`'s repository.
pub fn blob_ways_on(reference: &Reference, digest: &Digest) -> Vec<WayOn> {
    let r = shell_quote(&format!("{}@{digest}", reference.name()));
    let plain = reference.scheme() == Scheme::Http;
    let insecure = |flag: &str| {
        if plain {
            format!(" {flag}")
        } else {
            String::new()
        }
    };
    vec![
        WayOn {
            tool: "crane",
            command: format!("crane blob{} {r} > blob", insecure("--insecure")),
        },
        WayOn {
            tool: "oras",
            command: format!("oras blob fetch{} --output blob {r}", insecure("--plain-http")),
        },
    ]
}

/// Single-quote `s` for a POSIX shell unless it is made only of characters no shell treats
/// specially. References are usually plain; IPv6 hosts (`[::1]`) and the Accept list are not.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'.' | b'_' | b'-' | b':' | b'/' | b'@' | b'+' | b'=' | b',')
        });
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
