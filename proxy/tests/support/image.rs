//! A small OCI image (index → manifest → config and two gzip layers made by GNU tar and gzip) and a
//! large incompressible blob, pushed to a real registry over its API.

use std::fs;
use std::path::Path;
use std::process::Command;

use super::{scratch, sha256};

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// What was pushed, with the digests the registry answered.
#[derive(Debug, Clone)]
pub struct Pushed {
    pub repo: String,
    pub index: String,
    pub manifest: String,
    /// Config and layer digests.
    pub blobs: Vec<String>,
    /// The large blob, if one was pushed.
    pub big: Option<String>,
}

/// Pushes `repo:tag` (an index) and, when `big_bytes > 0`, a large blob into the same repository.
pub async fn push_image(origin: &str, repo: &str, tag: &str, big_bytes: usize) -> Pushed {
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let work = scratch(&format!("image-{}", repo.replace('/', "-")));
    let (tar1, gz1) = layer(
        &work.join("l1"),
        &[("etc/demo-release", b"digestlens proxy test\n".to_vec())],
    );
    let (tar2, gz2) = layer(&work.join("l2"), &[("data.bin", pseudo_random(1 << 20, 7))]);
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{"Cmd":["/data.bin"]}},"rootfs":{{"type":"layers","diff_ids":["{}","{}"]}}}}"#,
        sha256(&tar1),
        sha256(&tar2)
    );
    let mut blobs = Vec::new();
    for bytes in [config.as_bytes(), &gz1, &gz2] {
        blobs.push(push_blob(&client, origin, repo, bytes.to_vec()).await);
    }
    let manifest = format!(
        r#"{{
   "schemaVersion": 2,
   "mediaType": "{OCI_MANIFEST}",
   "config": {{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "{}", "size": {}}},
   "layers": [
      {{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "{}", "size": {}}},
      {{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "{}", "size": {}}}
   ]
}}"#,
        blobs[0],
        config.len(),
        blobs[1],
        gz1.len(),
        blobs[2],
        gz2.len()
    );
    let manifest_digest = push_manifest(
        &client,
        origin,
        repo,
        &format!("{tag}-amd64"),
        OCI_MANIFEST,
        manifest.clone(),
    )
    .await;
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{manifest_digest}","size":{},"platform":{{"architecture":"amd64","os":"linux"}}}}]}}"#,
        manifest.len()
    );
    let index_digest = push_manifest(&client, origin, repo, tag, OCI_INDEX, index).await;
    let big = if big_bytes > 0 {
        Some(push_blob(&client, origin, repo, pseudo_random(big_bytes, 42)).await)
    } else {
        None
    };
    Pushed {
        repo: repo.to_string(),
        index: index_digest,
        manifest: manifest_digest,
        blobs,
        big,
    }
}

/// Monolithic upload: POST for a session, PUT the bytes with their digest.
pub async fn push_blob(client: &reqwest::Client, origin: &str, repo: &str, bytes: Vec<u8>) -> String {
    let digest = sha256(&bytes);
    let started = client
        .post(format!("{origin}/v2/{repo}/blobs/uploads/"))
        .send()
        .await
        .expect("start upload");
    assert_eq!(started.status(), 202, "start upload");
    let location = started.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let location = if location.starts_with('/') {
        format!("{origin}{location}")
    } else {
        location
    };
    let separator = if location.contains('?') { '&' } else { '?' };
    let done = client
        .put(format!("{location}{separator}digest={digest}"))
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("finish upload");
    assert_eq!(done.status(), 201, "finish upload of {digest}");
    digest
}

/// PUT a manifest; returns the registry's `Docker-Content-Digest`.
pub async fn push_manifest(
    client: &reqwest::Client,
    origin: &str,
    repo: &str,
    reference: &str,
    media_type: &str,
    body: String,
) -> String {
    let answer = client
        .put(format!("{origin}/v2/{repo}/manifests/{reference}"))
        .header("content-type", media_type)
        .body(body)
        .send()
        .await
        .expect("push manifest");
    assert_eq!(
        answer.status(),
        201,
        "push manifest {repo}:{reference}: {:?}",
        answer.text().await
    );
    answer.headers()["docker-content-digest"]
        .to_str()
        .expect("digest")
        .to_string()
}

/// A layer as GNU tar and gzip make it: returns (tar, tar.gz).
fn layer(dir: &Path, files: &[(&str, Vec<u8>)]) -> (Vec<u8>, Vec<u8>) {
    let root = dir.join("root");
    for (name, bytes) in files {
        let path = root.join(name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, bytes).expect("write layer file");
    }
    let tar = dir.join("layer.tar");
    let status = Command::new("tar")
        .args([
            "--sort=name",
            "--mtime=@1700000000",
            "--owner=0",
            "--group=0",
            "--numeric-owner",
            "-cf",
        ])
        .arg(&tar)
        .arg("-C")
        .arg(&root)
        .arg(".")
        .status()
        .expect("run tar");
    assert!(status.success(), "tar failed");
    let gz = Command::new("gzip")
        .arg("-n")
        .arg("-c")
        .arg(&tar)
        .output()
        .expect("run gzip");
    assert!(gz.status.success(), "gzip failed");
    (fs::read(&tar).expect("read tar"), gz.stdout)
}

/// Incompressible bytes (xorshift), the same for the same seed.
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}
