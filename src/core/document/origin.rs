//! Where a document's bytes came from. The origin is kept with the bytes because part of it
//! matters to the analysis: the media type the bytes arrived with (a registry's `Content-Type`,
//! the descriptor that pointed at them, an example's declared type) names configs that the bytes
//! alone cannot, and flags a disagreement. Whoever analyses the bytes again (the analysis worker)
//! gets the origin with them, so it never has to guess that hint back.

use crate::core::media_type::MediaType;
use crate::core::reference::Reference;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where a document's bytes came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// Text from the paste box, hashed as its UTF-8 bytes; no media type comes with it.
    Pasted,
    /// A dropped or opened file, hashed as its raw bytes.
    File { name: String },
    /// One of the page's built-in examples, with the media type it is served as.
    Example {
        name: String,
        #[serde(with = "as_text")]
        media_type: Option<MediaType>,
    },
    /// A registry answer for `reference` (the reference the user asked for; the document may be
    /// one the walk reached from it), with the media type it was served or described as.
    Registry {
        #[serde(serialize_with = "reference_text", deserialize_with = "parsed_reference")]
        reference: Reference,
        #[serde(with = "as_text")]
        media_type: Option<MediaType>,
    },
}

impl Origin {
    /// The media type the bytes arrived with, if any: what the analysis is given as a hint.
    pub fn hint(&self) -> Option<&MediaType> {
        match self {
            Origin::Pasted | Origin::File { .. } => None,
            Origin::Example { media_type, .. } | Origin::Registry { media_type, .. } => media_type.as_ref(),
        }
    }
}

/// A media type travels as its wire string, so types this page does not know survive.
mod as_text {
    use super::MediaType;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(media_type: &Option<MediaType>, s: S) -> Result<S::Ok, S::Error> {
        match media_type {
            Some(m) => s.serialize_some(m.as_str()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<MediaType>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(|text| MediaType::parse(&text)))
    }
}

/// A reference travels as its scheme and full normalized form, which parse back to the same
/// reference (the scheme too, which the normalized form alone leaves to the host's default).
fn reference_text<S: Serializer>(reference: &Reference, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{}://{reference}", reference.scheme().as_str()))
}

fn parsed_reference<'de, D: Deserializer<'de>>(d: D) -> Result<Reference, D::Error> {
    let text = String::deserialize(d)?;
    Reference::parse(&text).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(origin: &Origin) -> Origin {
        serde_json::from_str(&serde_json::to_string(origin).unwrap()).unwrap()
    }

    #[test]
    fn an_origin_survives_the_trip_to_a_worker_unchanged() {
        for origin in [
            Origin::Pasted,
            Origin::File {
                name: "manifest.json".to_owned(),
            },
            Origin::Example {
                name: "index.json".to_owned(),
                media_type: Some(MediaType::OciIndex),
            },
            Origin::Registry {
                reference: Reference::parse("localhost:5000/demo/img:1.0").unwrap(),
                media_type: Some(MediaType::parse("application/vnd.example.unknown+json")),
            },
            Origin::Registry {
                reference: Reference::parse("http://registry.example:5000/team/app:2").unwrap(),
                media_type: None,
            },
            Origin::Registry {
                reference: Reference::parse(
                    "busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                )
                .unwrap(),
                media_type: None,
            },
        ] {
            assert_eq!(round_trip(&origin), origin);
        }
    }
}
