//! Real links made by the page's codec, damaged the ways links get damaged in chats and by hand
//! (characters appended, the last character changed, cut off): each is refused with the message
//! that says what happened, not "cut off" for all of them.

use digestlens::core::permalink::{
    decode, encode, PermalinkError, PinnedReference, SharedDocument, Snapshot,
};

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Links of every payload length modulo 4 (the number of characters in the last base64 group
/// decides what base64 alone can tell), made by the page's own encoder.
fn real_links() -> Vec<String> {
    let mut links: Vec<String> = (0..40)
        .map(|n| {
            let snapshot = Snapshot {
                documents: vec![SharedDocument {
                    name: String::new(),
                    bytes: format!("{{\"schemaVersion\":2,\"n\":\"{}\"}}\n", "x".repeat(n)).into_bytes(),
                }],
                references: vec![PinnedReference {
                    reference: "127.0.0.1:5000/demo/app:1".into(),
                    digest: "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
                        .parse()
                        .unwrap(),
                }],
                ..Snapshot::default()
            };
            encode(&snapshot).unwrap()
        })
        .collect();
    links.sort_by_key(|l| (l.len() - 3) % 4);
    links.dedup_by_key(|l| (l.len() - 3) % 4);
    // base64url never leaves exactly 1 character in the last group.
    assert_eq!(links.len(), 3, "links of each possible payload length");
    links
}

#[test]
fn characters_appended_to_a_link_are_counted() {
    for link in real_links() {
        for count in 1..=9 {
            for first in [b'A', b'x', b'_'] {
                let extra: String = (0..count)
                    .map(|i| char::from(ALPHABET[(usize::from(first) + i * 7) % ALPHABET.len()]))
                    .collect();
                let damaged = format!("{link}{extra}");
                assert_eq!(
                    decode(&damaged),
                    Err(PermalinkError::ExtraCharacters { count }),
                    "{damaged}"
                );
            }
        }
    }
}

#[test]
fn a_changed_last_character_is_a_checksum_mismatch_or_named() {
    for link in real_links() {
        let last = *link.as_bytes().last().unwrap();
        // Bits the last character carries (RFC 4648: 6 of a full group's last, 2 after one byte
        // of a group, 4 after two); the rest are zero in every encoder's output.
        let significant = match (link.len() - 3) % 4 {
            0 => 6,
            2 => 2,
            _ => 4,
        };
        let value = |c: u8| ALPHABET.iter().position(|&a| a == c).unwrap() >> (6 - significant);
        for &other in ALPHABET.iter().filter(|&&c| c != last) {
            let mut damaged = link.clone();
            damaged.pop();
            damaged.push(char::from(other));
            let result = decode(&damaged);
            if value(other) != value(last) {
                assert!(
                    matches!(result, Err(PermalinkError::ChecksumMismatch { .. })),
                    "{damaged}: {result:?}"
                );
            } else {
                assert_eq!(
                    result,
                    Err(PermalinkError::ChangedLastCharacter {
                        found: char::from(other)
                    }),
                    "{damaged}"
                );
            }
            let message = result.unwrap_err().to_string();
            assert!(!message.contains("cut off"), "{damaged}: {message}");
        }
    }
}

#[test]
fn a_link_cut_off_still_says_so() {
    for link in real_links() {
        for cut in 1..=8 {
            let damaged = &link[..link.len() - cut];
            assert_eq!(decode(damaged), Err(PermalinkError::CutOff), "{damaged}");
        }
    }
}

#[test]
fn the_messages_say_what_happened() {
    assert_eq!(
        PermalinkError::ExtraCharacters { count: 2 }.to_string(),
        "the link has 2 character(s) more than its data says it has: something was added to its \
         end; copy the original link again"
    );
}
