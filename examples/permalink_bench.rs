//! Times permalink encode/decode and reports link lengths for realistic documents.
//!
//! Run with `cargo run --release --example permalink_bench` (the release profile is the one the
//! WebAssembly page ships, opt-level "z"; the browser runs roughly 1.5-3x slower than native).

use digestlens::core::permalink::{decode, encode, LinkLength, SharedDocument, Snapshot};
use std::time::Instant;

#[path = "../tests/common/splitmix.rs"]
mod splitmix;
use splitmix::SplitMix;

impl SplitMix {
    fn digest(&mut self) -> String {
        let mut hex = String::from("sha256:");
        for _ in 0..4 {
            hex.push_str(&format!("{:016x}", self.next()));
        }
        hex
    }
}

fn manifest(rng: &mut SplitMix) -> String {
    let mut layers = Vec::new();
    for _ in 0..3 {
        layers.push(format!(
            "    {{\n      \"mediaType\": \"application/vnd.oci.image.layer.v1.tar+gzip\",\n      \"digest\": \"{}\",\n      \"size\": {}\n    }}",
            rng.digest(),
            1000 + rng.below(30_000_000)
        ));
    }
    format!(
        "{{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n  \"config\": {{\n    \"mediaType\": \"application/vnd.oci.image.config.v1+json\",\n    \"digest\": \"{}\",\n    \"size\": {}\n  }},\n  \"layers\": [\n{}\n  ],\n  \"annotations\": {{\n    \"org.opencontainers.image.created\": \"2024-05-01T12:00:00Z\",\n    \"org.opencontainers.image.source\": \"https://example.invalid/demo/app\",\n    \"org.opencontainers.image.revision\": \"{:016x}\"\n  }}\n}}\n",
        rng.digest(),
        1000 + rng.below(9000),
        layers.join(",\n"),
        rng.next()
    )
}

fn index(rng: &mut SplitMix, platforms: usize) -> String {
    const ARCHES: [(&str, &str, Option<&str>); 8] = [
        ("linux", "amd64", None),
        ("linux", "arm64", Some("v8")),
        ("linux", "arm", Some("v7")),
        ("linux", "arm", Some("v6")),
        ("linux", "386", None),
        ("linux", "ppc64le", None),
        ("linux", "s390x", None),
        ("linux", "riscv64", None),
    ];
    let mut entries = Vec::new();
    for i in 0..platforms {
        let entry = if i % 10 == 9 {
            format!(
                "    {{\n      \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n      \"digest\": \"{}\",\n      \"size\": {},\n      \"platform\": {{\n        \"architecture\": \"amd64\",\n        \"os\": \"windows\",\n        \"os.version\": \"10.0.{}.{}\"\n      }}\n    }}",
                rng.digest(),
                400 + rng.below(3000),
                17763 + rng.below(3000),
                rng.below(6000)
            )
        } else {
            let (os, arch, variant) = ARCHES[i % ARCHES.len()];
            let variant = variant
                .map(|v| format!(",\n        \"variant\": \"{v}\""))
                .unwrap_or_default();
            format!(
                "    {{\n      \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n      \"digest\": \"{}\",\n      \"size\": {},\n      \"platform\": {{\n        \"architecture\": \"{arch}\",\n        \"os\": \"{os}\"{variant}\n      }}\n    }}",
                rng.digest(),
                400 + rng.below(3000)
            )
        };
        entries.push(entry);
    }
    format!(
        "{{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n  \"manifests\": [\n{}\n  ]\n}}\n",
        entries.join(",\n")
    )
}

/// An image config with a long history and many diff_ids: JSON text mixed with hex, as large
/// real configs are.
fn big_config(rng: &mut SplitMix, size: usize) -> Vec<u8> {
    const COMMANDS: [&str; 6] = [
        "/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 in / ",
        "/bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*",
        "/bin/sh -c #(nop)  ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "RUN /bin/sh -c set -eux; groupadd -r app --gid=999; useradd -r -g app --uid=999 app # buildkit",
        "COPY ./dist /app # buildkit",
        "/bin/sh -c #(nop) WORKDIR /app",
    ];
    let mut out = String::from("{\n  \"architecture\": \"amd64\",\n  \"os\": \"linux\",\n  \"history\": [\n");
    let mut diff_ids = String::new();
    while out.len() + diff_ids.len() < size - 200 {
        out.push_str(&format!(
            "    {{\n      \"created\": \"2024-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z\",\n      \"created_by\": \"{}\"\n    }},\n",
            1 + rng.below(12),
            1 + rng.below(28),
            rng.below(24),
            rng.below(60),
            rng.below(60),
            rng.below(1_000_000_000),
            COMMANDS[rng.below(COMMANDS.len())]
        ));
        diff_ids.push_str(&format!("      \"{}\",\n", rng.digest()));
    }
    out.push_str("    {}\n  ],\n  \"rootfs\": {\n    \"type\": \"layers\",\n    \"diff_ids\": [\n");
    out.push_str(&diff_ids);
    out.push_str(
        "      \"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"\n    ]\n  }\n}\n",
    );
    let mut bytes = out.into_bytes();
    bytes.truncate(size);
    bytes
}

fn measure(label: &str, bytes: Vec<u8>) {
    let size = bytes.len();
    let snapshot = Snapshot {
        documents: vec![SharedDocument {
            name: "pasted".into(),
            bytes,
        }],
        ..Snapshot::default()
    };
    let started = Instant::now();
    let encoded = encode(&snapshot);
    let encode_time = started.elapsed();
    match encoded {
        Ok(fragment) => {
            let started = Instant::now();
            let decoded = decode(&fragment);
            let decode_time = started.elapsed();
            assert_eq!(decoded.as_ref(), Ok(&snapshot), "{label}: round trip");
            println!(
                "{label:<28} {size:>9} B  link {:>9} chars ({:?})  encode {:>9.2?}  decode {:>9.2?}",
                fragment.len(),
                LinkLength::of(&fragment),
                encode_time,
                decode_time
            );
        }
        Err(error) => println!("{label:<28} {size:>9} B  refused after {encode_time:.2?}: {error}"),
    }
}

fn main() {
    let mut rng = SplitMix(0x5eed);
    measure("1 KB manifest", manifest(&mut rng).into_bytes());
    measure("50-platform index", index(&mut rng, 50).into_bytes());
    measure("4 MiB image config (JSON)", big_config(&mut rng, 4 * 1024 * 1024));
    measure("4 MiB random bytes", rng.bytes(4 * 1024 * 1024));
}
