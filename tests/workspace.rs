//! The page's state and its link mapping, natively: the reducer (`workspace`) and what a link
//! carries and opens into (`workspace::link`), without a browser.
//!
//! Documents are the registry fixtures (tests/fixtures/registry, made by scripts/make-fixtures
//! against distribution 2.8.2); expected digests are the registry's Docker-Content-Digest recorded
//! in fixtures.json. When that folder is absent the tests skip with a message.

use digestlens::core::diagnose::Side;
use digestlens::core::digest::Digest;
use digestlens::core::distribution::verify::DigestHeader;
use digestlens::core::distribution::walk::{check, Target};
use digestlens::core::document::{Document, Origin};
use digestlens::core::media_type::MediaType;
use digestlens::core::permalink::{self, ComparedDocument, PinnedReference};
use digestlens::core::reference::Reference;
use digestlens::workspace::link::{
    carries_nothing, link_for, replacement, restored_view, snapshot_of, Share, Shared,
};
use digestlens::workspace::{Action, Choice, NewDocument, Source, View, Workspace};
use serde_json::Value;
use std::path::Path;
use std::rc::Rc;

/// A fixture's bytes, the media type the registry served it as, and the registry's digest.
struct Served {
    bytes: Vec<u8>,
    media_type: Option<MediaType>,
    registry_digest: Digest,
}

fn served(path: &str) -> Option<Served> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry");
    let Ok(record) = std::fs::read(dir.join("fixtures.json")) else {
        eprintln!(
            "skipping: {} is not there (made by scripts/make-fixtures)",
            dir.display()
        );
        return None;
    };
    let record: Value = serde_json::from_slice(&record).expect("fixtures.json is JSON");
    let file = record["files"]
        .as_array()
        .and_then(|files| files.iter().find(|f| f["path"] == path))
        .unwrap_or_else(|| panic!("fixtures.json lists {path}"));
    Some(Served {
        bytes: std::fs::read(dir.join(path)).expect("fixture"),
        media_type: file["media_type"].as_str().map(MediaType::parse),
        registry_digest: file["docker_content_digest"].as_str().unwrap().parse().unwrap(),
    })
}

fn file(name: &str, bytes: &[u8]) -> NewDocument {
    NewDocument {
        source: Source::File {
            name: name.to_owned(),
        },
        document: Document::new(
            bytes,
            Origin::File {
                name: name.to_owned(),
            },
        ),
    }
}

/// A document as the registry walk hands it on: the answer's bytes, served media type and checks.
fn fetched(reference: &Reference, label: &str, served: &Served) -> NewDocument {
    let document = Document::new(
        served.bytes.as_slice(),
        Origin::Registry {
            reference: reference.clone(),
            media_type: served.media_type.clone(),
        },
    );
    let claimed = served.registry_digest.to_string();
    let header = DigestHeader::observed(Some(&claimed), false);
    let verification = check(
        document.bytes(),
        document.analysis(),
        header,
        None,
        None,
        Target::Manifest,
    );
    NewDocument {
        source: Source::Fetched {
            url: format!(
                "http://{}/v2/{}/manifests/1",
                reference.registry(),
                reference.repository()
            ),
            reference: reference.clone(),
            label: label.to_owned(),
            verification: Box::new(verification),
        },
        document,
    }
}

fn after(actions: Vec<Action>) -> Rc<Workspace> {
    actions
        .into_iter()
        .fold(Rc::new(Workspace::default()), |workspace, action| {
            workspace.apply(action)
        })
}

fn shared(workspace: &Workspace) -> Shared {
    Shared {
        list: workspace.document_list(),
        view: workspace.view.clone(),
    }
}

fn demo_reference() -> Reference {
    Reference::parse("localhost:5000/demo/oci:1").unwrap()
}

#[test]
fn pasted_text_is_one_document_whose_digest_is_the_registrys() {
    let Some(oci) = served("demo-oci/manifest.json") else {
        return;
    };
    let text = String::from_utf8(oci.bytes.clone()).unwrap();
    let workspace = after(vec![Action::Paste(text.clone()), Action::Paste(text)]);
    let documents: Vec<_> = workspace.documents().collect();
    assert_eq!(documents.len(), 1, "typing replaces the pasted document");
    assert_eq!(documents[0].analysis().digest(), &oci.registry_digest);
    assert_eq!(documents[0].origin(), &Origin::Pasted);
    assert!(after(vec![Action::Paste(String::new())]).pasted.is_none());
}

#[test]
fn the_same_bytes_added_twice_are_kept_once_and_the_copy_is_named() {
    let Some(oci) = served("demo-oci/manifest.json") else {
        return;
    };
    let workspace = after(vec![
        Action::Add(vec![file("first.json", &oci.bytes)]),
        Action::Add(vec![file("second.json", &oci.bytes)]),
    ]);
    assert_eq!(workspace.files.len(), 1);
    assert_eq!(
        workspace.skipped_duplicates,
        vec![("second.json".to_owned(), oci.registry_digest.clone())]
    );
}

#[test]
fn a_fetched_document_keeps_its_reference_and_the_media_type_it_was_served_as() {
    let Some(config) = served("demo-oci/config.json") else {
        return;
    };
    let reference = demo_reference();
    let workspace = after(vec![Action::Add(vec![fetched(
        &reference,
        "config of linux/amd64",
        &config,
    )])]);
    let doc = &workspace.files[0];
    assert_eq!(doc.analysis().bytes_digest, config.registry_digest);
    assert_eq!(doc.hint(), config.media_type.as_ref());
    assert_eq!(
        doc.analysis().kind.media_type(),
        Some(MediaType::OciConfig),
        "served as an OCI config, read as one"
    );
    assert_eq!(doc.source.title(), format!("{reference} · config of linux/amd64"));
}

#[test]
fn removing_a_document_forgets_the_digest_typed_for_it() {
    let Some(oci) = served("demo-oci/manifest.json") else {
        return;
    };
    let workspace = after(vec![Action::Add(vec![file("m.json", &oci.bytes)])]);
    let id = workspace.files[0].id;
    let workspace = workspace
        .apply(Action::Expect(id, "sha256:abc".to_owned()))
        .apply(Action::Remove(id));
    assert!(workspace.files.is_empty());
    assert!(workspace.view.expected.is_empty());
}

#[test]
fn a_compare_side_waiting_for_a_digest_takes_the_document_when_it_arrives() {
    let Some(oci) = served("demo-oci/manifest.json") else {
        return;
    };
    let workspace = after(vec![Action::Choose(
        Side::B,
        Choice::Wanted(oci.registry_digest.clone()),
    )]);
    assert_eq!(
        workspace.view.compare_b,
        Choice::Wanted(oci.registry_digest.clone())
    );
    let workspace = workspace.apply(Action::Add(vec![fetched(&demo_reference(), "", &oci)]));
    assert_eq!(workspace.view.compare_b, Choice::Loaded(workspace.files[0].id));
}

#[test]
fn a_link_carries_pasted_bytes_and_pins_fetched_documents_to_their_digest() {
    let (Some(oci), Some(docker)) = (
        served("demo-oci/manifest.json"),
        served("demo-docker/manifest.json"),
    ) else {
        return;
    };
    let reference = Reference::parse(
        "localhost:5000/demo/oci:1@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    )
    .unwrap();
    let workspace = after(vec![
        Action::Paste(String::from_utf8(docker.bytes.clone()).unwrap()),
        Action::Add(vec![fetched(&reference, "", &oci)]),
    ]);
    let snapshot = snapshot_of(&shared(&workspace), &[]);
    assert_eq!(snapshot.documents.len(), 1);
    assert_eq!(
        snapshot.documents[0].bytes, docker.bytes,
        "the pasted text travels as its exact bytes"
    );
    assert_eq!(
        snapshot.references,
        vec![PinnedReference {
            reference: "localhost:5000/demo/oci:1".to_owned(),
            digest: oci.registry_digest.clone(),
        }],
        "the fetched document travels as its reference (tag kept) pinned to the digest seen"
    );
    assert!(carries_nothing(&snapshot_of(&shared(&Workspace::default()), &[])));
}

#[test]
fn text_a_paste_box_would_change_goes_back_as_a_file_with_its_exact_bytes() {
    let crlf = b"{\r\n  \"schemaVersion\": 2\r\n}\r\n".to_vec();
    let (pasted, others) = replacement(vec![permalink::SharedDocument {
        name: String::new(),
        bytes: crlf.clone(),
    }]);
    assert_eq!(pasted, None);
    assert_eq!(others.len(), 1);
    assert_eq!(others[0].document.bytes(), crlf.as_slice());
    assert_eq!(others[0].source.title(), "Pasted text (exact bytes)");
    let (pasted, others) = replacement(vec![permalink::SharedDocument {
        name: String::new(),
        bytes: b"{}\n".to_vec(),
    }]);
    assert_eq!(pasted.as_deref(), Some("{}\n"));
    assert!(others.is_empty());
}

#[test]
fn a_link_opens_into_the_same_documents_and_view() {
    let (Some(oci), Some(config)) = (served("demo-oci/manifest.json"), served("demo-oci/config.json")) else {
        return;
    };
    let workspace = after(vec![
        Action::Paste(String::from_utf8(oci.bytes.clone()).unwrap()),
        Action::Add(vec![file("config.json", &config.bytes)]),
    ]);
    let config_id = workspace.files[0].id;
    let workspace = workspace
        .apply(Action::Choose(Side::A, Choice::Loaded(config_id)))
        .apply(Action::Expect(config_id, "74e61a6508e3".to_owned()));
    let (share, fragment) = link_for(
        "http://127.0.0.1:8080/",
        &shared(&workspace),
        false,
        &permalink::encode,
    );
    let Share::Link { url, .. } = share else {
        panic!("{share:?}");
    };
    assert_eq!(&*url, format!("http://127.0.0.1:8080/#{fragment}"));

    let mut snapshot = permalink::decode(&fragment).unwrap();
    assert_eq!(
        snapshot.compare_a,
        Some(ComparedDocument::Loaded(config.registry_digest.clone()))
    );
    let view: View = restored_view(&mut snapshot);
    let (pasted, documents) = replacement(snapshot.documents);
    let opened = Rc::new(Workspace::default()).apply(Action::Replace {
        pasted,
        documents,
        view,
    });
    let digests =
        |w: &Workspace| -> Vec<Digest> { w.documents().map(|d| d.analysis().bytes_digest.clone()).collect() };
    assert_eq!(
        digests(&opened),
        [oci.registry_digest.clone(), config.registry_digest.clone()]
    );
    let opened_config = opened.files[0].id;
    assert_eq!(opened.view.compare_a, Choice::Loaded(opened_config));
    assert_eq!(
        opened.view.expected.get(&opened_config).map(String::as_str),
        Some("74e61a6508e3")
    );
}
