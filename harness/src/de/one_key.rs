//! The values that a case writes as a string, `null`, or an object with one key: request and
//! expected bodies, header expectations, scripts and routing.

use base64::Engine;
use edgecase_runtime::Routing;
use regex::Regex;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess};

use super::{OneKey, deserialize_one_key};
use crate::expect::{BodyExpect, HeaderExpect, Pattern};
use crate::step::RequestBody;

/// `worker.routing`: `"round-robin"`, `"sticky"` or `{"random": SEED}`.
pub(super) struct RoutingValue(pub(super) Routing);

impl OneKey for RoutingValue {
    const EXPECTING: &'static str = "\"round-robin\", \"sticky\" or {\"random\": SEED}";
    const KEYS: &'static [&'static str] = &["random"];

    fn from_text<E: de::Error>(text: String) -> Result<Self, E> {
        match text.as_str() {
            "round-robin" => Ok(RoutingValue(Routing::RoundRobin)),
            "sticky" => Ok(RoutingValue(Routing::Sticky)),
            other => Err(E::custom(format!(
                "unknown routing `{other}`, expected `round-robin`, `sticky` or {{\"random\": SEED}}"
            ))),
        }
    }

    fn from_value<'de, A: MapAccess<'de>>(_key: &str, map: &mut A) -> Result<Self, A::Error> {
        let seed: u64 = map.next_value()?;
        Ok(RoutingValue(Routing::Random { seed }))
    }
}

impl<'de> Deserialize<'de> for RequestBody {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_one_key(deserializer)
    }
}

impl OneKey for RequestBody {
    const EXPECTING: &'static str = "a string, {\"base64\": \"...\"} or {\"json\": VALUE}";
    const KEYS: &'static [&'static str] = &["base64", "json"];

    fn from_text<E: de::Error>(text: String) -> Result<Self, E> {
        Ok(RequestBody::Text(text))
    }

    fn from_value<'de, A: MapAccess<'de>>(key: &str, map: &mut A) -> Result<Self, A::Error> {
        match key {
            "base64" => Ok(RequestBody::Bytes(base64_value(map)?)),
            _ => Ok(RequestBody::Json(map.next_value()?)),
        }
    }
}

impl<'de> Deserialize<'de> for HeaderExpect {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_one_key(deserializer)
    }
}

impl OneKey for HeaderExpect {
    const EXPECTING: &'static str =
        "a string, null, {\"contains\": \"...\"} or {\"matches\": \"REGEX\"}";
    const KEYS: &'static [&'static str] = &["contains", "matches"];

    fn from_text<E: de::Error>(text: String) -> Result<Self, E> {
        Ok(HeaderExpect::Equals(text))
    }

    fn from_null<E: de::Error>() -> Result<Self, E> {
        Ok(HeaderExpect::Absent)
    }

    fn from_value<'de, A: MapAccess<'de>>(key: &str, map: &mut A) -> Result<Self, A::Error> {
        match key {
            "contains" => Ok(HeaderExpect::Contains(map.next_value()?)),
            _ => Ok(HeaderExpect::Matches(pattern_value(map)?)),
        }
    }
}

impl<'de> Deserialize<'de> for BodyExpect {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_one_key(deserializer)
    }
}

impl OneKey for BodyExpect {
    const EXPECTING: &'static str = "a string, {\"contains\": \"...\"}, {\"matches\": \"REGEX\"}, \
         {\"json\": VALUE}, {\"base64\": \"...\"} or {\"snapshot\": true}";
    const KEYS: &'static [&'static str] = &["contains", "matches", "json", "base64", "snapshot"];

    fn from_text<E: de::Error>(text: String) -> Result<Self, E> {
        Ok(BodyExpect::Equals(text))
    }

    fn from_value<'de, A: MapAccess<'de>>(key: &str, map: &mut A) -> Result<Self, A::Error> {
        match key {
            "contains" => Ok(BodyExpect::Contains(map.next_value()?)),
            "matches" => Ok(BodyExpect::Matches(pattern_value(map)?)),
            "json" => Ok(BodyExpect::Json(map.next_value()?)),
            "snapshot" => {
                let snapshot: bool = map.next_value()?;
                if !snapshot {
                    return Err(de::Error::custom(
                        "`snapshot` must be true; remove the body check to not compare the body",
                    ));
                }
                Ok(BodyExpect::Snapshot)
            }
            _ => Ok(BodyExpect::Bytes(base64_value(map)?)),
        }
    }
}

/// Reads a base64 string (standard alphabet, with padding) and decodes it.
fn base64_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Vec<u8>, A::Error> {
    let text: String = map.next_value()?;
    base64::engine::general_purpose::STANDARD
        .decode(&text)
        .map_err(|error| {
            de::Error::custom(format!(
                "invalid base64 {text:?}: {error}; use the standard alphabet with `=` padding"
            ))
        })
}

/// Reads a regex and compiles it.
fn pattern_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Pattern, A::Error> {
    let text: String = map.next_value()?;
    Regex::new(&text)
        .map(Pattern)
        .map_err(|error| de::Error::custom(format!("invalid regex {text:?}: {error}")))
}

impl<'de> Deserialize<'de> for crate::load::ScriptRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_one_key(deserializer)
    }
}

impl OneKey for crate::load::ScriptRef {
    const EXPECTING: &'static str = "script source text or {\"file\": \"name.js\"}";
    const KEYS: &'static [&'static str] = &["file"];

    fn from_text<E: de::Error>(text: String) -> Result<Self, E> {
        Ok(crate::load::ScriptRef::Inline(text))
    }

    fn from_value<'de, A: MapAccess<'de>>(_key: &str, map: &mut A) -> Result<Self, A::Error> {
        let file: String = map.next_value()?;
        if file.is_empty() {
            return Err(de::Error::custom(
                "`file` must name a script relative to the case file, such as `worker.js`",
            ));
        }
        Ok(crate::load::ScriptRef::File(file))
    }
}
