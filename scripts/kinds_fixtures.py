"""Push artifacts of each kind with oras-py and save what the registry serves.

Called by scripts/make-kinds-fixtures with: registry host:port, the work dir holding the files,
the output dir, and the oras-py version. Every saved file is the registry's answer byte for byte;
its sha256 is checked against the Docker-Content-Digest header before it is recorded.
"""
import hashlib
import json
import os
import sys
import urllib.request

import oras.client
import oras.oci

registry, work, out, oras_version = sys.argv[1:5]
os.chdir(work)
client = oras.client.OrasClient(hostname=registry, insecure=True)
created = {"org.opencontainers.image.created": "2023-11-14T22:13:20Z"}
ACCEPT = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json"
records = []


def fetch(path, accept=ACCEPT):
    request = urllib.request.Request(f"http://{registry}/v2/{path}", headers={"Accept": accept})
    with urllib.request.urlopen(request) as response:
        body = response.read()
        claimed = response.headers.get("Docker-Content-Digest")
        content_type = response.headers.get("Content-Type")
    computed = "sha256:" + hashlib.sha256(body).hexdigest()
    if claimed != computed:
        sys.exit(f"{path}: registry says {claimed}, body hashes to {computed}")
    return body, claimed, content_type


def save(file, path, what, kind, artifact):
    body, digest, content_type = fetch(path)
    with open(os.path.join(out, file), "wb") as f:
        f.write(body)
    records.append({"file": file, "fetched": path, "what": what, "docker_content_digest": digest,
                    "content_type": content_type, "kind": kind, "artifact": artifact})
    return body, digest


def push(repo, what, files, config, artifact, subject=None):
    client.push(target=f"{registry}/kinds/{repo}:1", files=files, manifest_config=config,
                manifest_annotations=created, subject=subject, disable_path_validation=True)
    return save(f"{repo}.json", f"kinds/{repo}/manifests/1", what, "oci-manifest", artifact)


helm, helm_digest = push(
    "helm", "Helm chart: config and layer media types as `helm push` writes them",
    ["hello-0.1.0.tgz:application/vnd.cncf.helm.chart.content.v1.tar+gzip"],
    "chart-config.json:application/vnd.cncf.helm.config.v1+json", "helm-chart")
push("wasm", "WebAssembly module: the CNCF wasm OCI artifact media types",
     ["hello.wasm:application/wasm"], "wasm-config.json:application/vnd.wasm.config.v0+json", "wasm-module")
push("sif", "Singularity/Apptainer image: media types as `singularity push` writes them",
     ["image.sif:application/vnd.sylabs.sif.layer.v1.sif"],
     "empty.json:application/vnd.sylabs.sif.config.v1+json", "sif-image")
push("cyclonedx", "CycloneDX SBOM", ["bom.cdx.json:application/vnd.cyclonedx+json"],
     "empty.json:application/vnd.cyclonedx+json", "cyclonedx-sbom")
subject = oras.oci.Subject("application/vnd.oci.image.manifest.v1+json", helm_digest, len(helm))
push("notation", "Notary Project signature attached to the Helm chart (notation's media types)",
     ["signature.jws:application/jose+json"], "empty.json:application/vnd.cncf.notary.signature",
     "notation-signature", subject)
push("dsse", "in-toto attestation in a DSSE envelope, in cosign's .att layout (layers typed as DSSE)",
     ["attestation.dsse.json:application/vnd.dsse.envelope.v1+json"],
     "empty.json:application/vnd.unknown.config.v1+json", "dsse-attestation", subject)
minimal, _ = push("minimal", "image manifest whose config is only a platform",
                  ["hello.txt:application/vnd.oci.image.layer.v1.tar"],
                  "platform-config.json:application/vnd.oci.image.config.v1+json", None)
config = json.loads(minimal)["config"]["digest"]
save("minimal-config.json", f"kinds/minimal/blobs/{config}",
     "the platform-only config of kinds/minimal", "minimal-config", None)
config = json.loads(helm)["config"]["digest"]
save("helm-config.json", f"kinds/helm/blobs/{config}", "the Helm chart's config (Chart.yaml as JSON)",
     "unknown-json", None)

with open(os.path.join(out, "fixtures.json"), "w") as f:
    json.dump({"registry": "distribution 2.8.2 (Debian docker-registry)",
               "client": f"oras-py {oras_version} (PyPI: oras)", "files": records}, f, indent=2)
    f.write("\n")
