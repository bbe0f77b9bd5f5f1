//! Field deserializers that check names, paths and numbers, for `deserialize_with`.

use std::collections::BTreeMap;
use std::fmt;

use edgecase_runtime::Routing;
use http::{HeaderName, HeaderValue, Method};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::deserialize_one_key;
use super::one_key::RoutingValue;
use crate::expect::HeaderExpect;
use crate::step::Step;

/// Deserializes a field that may be left out but not set to `null`.
pub(crate) fn some<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Deserializes an optional integer that must be at least 1.
pub(crate) fn positive<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    let value = u64::deserialize(deserializer)?;
    if value == 0 {
        return Err(de::Error::custom("must be at least 1, found 0"));
    }
    Ok(Some(value))
}

/// Deserializes a non-empty string, such as a case title.
pub(crate) fn non_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    if text.trim().is_empty() {
        return Err(de::Error::custom("must not be empty"));
    }
    Ok(text)
}

/// Deserializes `worker.instances`, a count of at least 1.
pub(crate) fn instances<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<usize>, D::Error> {
    let count = usize::deserialize(deserializer)?;
    if count == 0 {
        return Err(de::Error::custom(
            "`instances` must be at least 1: a worker needs an isolate to run in",
        ));
    }
    Ok(Some(count))
}

/// Deserializes the steps of a case, of which there must be at least one.
pub(crate) fn steps<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Step>, D::Error> {
    let steps = Vec::<Step>::deserialize(deserializer)?;
    if steps.is_empty() {
        return Err(de::Error::custom(
            "a case needs at least one step, such as {\"request\": {}, \"expect\": {\"status\": 200}}",
        ));
    }
    Ok(steps)
}

/// Deserializes `worker.bindings`: JavaScript identifiers mapped to text.
pub(crate) fn bindings<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let bindings = BTreeMap::<String, String>::deserialize(deserializer)?;
    for name in bindings.keys() {
        if !is_identifier(name) {
            return Err(de::Error::custom(format!(
                "binding name `{name}` is not a JavaScript identifier: use ASCII letters, digits, \
                 `_` and `$`, not starting with a digit"
            )));
        }
    }
    Ok(bindings)
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$');
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// Deserializes a request method, which must be an HTTP token such as `GET` or `PATCH`.
pub(crate) fn method<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Method, D::Error> {
    let text = String::deserialize(deserializer)?;
    Method::from_bytes(text.as_bytes()).map_err(|_| {
        de::Error::custom(format!(
            "invalid method `{text}`: a method is an HTTP token such as `GET` or `PATCH`"
        ))
    })
}

/// Characters that a request path must percent-encode besides spaces and non-ASCII bytes: `#`
/// would start a fragment, and the `http` crate rejects the others in a path or a query.
const PATH_RESERVED: &[u8] = b"#\"<>`";

/// Deserializes a request path: `/`, then printable ASCII other than [`PATH_RESERVED`], with an
/// optional query.
pub(crate) fn path<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    let allowed = text
        .bytes()
        .all(|b| b.is_ascii_graphic() && !PATH_RESERVED.contains(&b));
    if !text.starts_with('/') || !allowed || text.parse::<http::uri::PathAndQuery>().is_err() {
        return Err(de::Error::custom(format!(
            "invalid path `{text}`: a path starts with `/`, such as `/items?id=1`, and \
             percent-encodes spaces, non-ASCII bytes and the characters #\"<>`"
        )));
    }
    Ok(text)
}

/// Deserializes request headers: names that are HTTP tokens in any case, and values of
/// printable ASCII, spaces and tabs.
pub(crate) fn request_headers<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(HeaderName, HeaderValue)>, D::Error> {
    struct HeadersVisitor;

    impl<'de> Visitor<'de> for HeadersVisitor {
        type Value = Vec<(HeaderName, HeaderValue)>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of header names to string values")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut headers = Vec::new();
            while let Some(name) = map.next_key::<String>()? {
                let value: String = map.next_value()?;
                let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    de::Error::custom(format!(
                        "invalid header name `{name}`: a header name is an HTTP token such as \
                         `content-type`"
                    ))
                })?;
                let header_value = HeaderValue::from_str(&value).map_err(|_| {
                    de::Error::custom(format!(
                        "invalid value {value:?} for header `{name}`: use printable ASCII, spaces \
                         and tabs"
                    ))
                })?;
                headers.push((header_name, header_value));
            }
            Ok(headers)
        }
    }

    deserializer.deserialize_map(HeadersVisitor)
}

/// Deserializes an expected status code, from 100 to 599.
pub(crate) fn status<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u16>, D::Error> {
    let code = u64::deserialize(deserializer)?;
    if !(100..=599).contains(&code) {
        return Err(de::Error::custom(format!(
            "invalid status {code}: a status code is from 100 to 599"
        )));
    }
    Ok(Some(code as u16))
}

/// The header checks of an expect object, and whether the headers are snapshotted.
#[derive(Default)]
pub(crate) struct ExpectedHeaders {
    /// Checks by lowercase name, in file order.
    pub checks: Vec<(String, HeaderExpect)>,
    /// Whether the object had `"snapshot": true`.
    pub snapshot: bool,
}

/// Deserializes header expectations: lowercase names, in file order, and `"snapshot": true`.
///
/// A key `snapshot` with a boolean value is the snapshot flag. A header named `snapshot` still
/// takes a string, `null` or an object, as any other header does.
pub(crate) fn expected_headers<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<ExpectedHeaders, D::Error> {
    struct ExpectedHeadersVisitor;

    impl<'de> Visitor<'de> for ExpectedHeadersVisitor {
        type Value = ExpectedHeaders;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of lowercase header names to expectations")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut headers = ExpectedHeaders::default();
            while let Some(name) = map.next_key::<String>()? {
                if name == "snapshot" {
                    let value: serde_json::Value = map.next_value()?;
                    match value {
                        serde_json::Value::Bool(true) => headers.snapshot = true,
                        serde_json::Value::Bool(false) => {
                            return Err(de::Error::custom(
                                "`snapshot` must be true; remove it to not compare the headers",
                            ));
                        }
                        other => {
                            let expected = HeaderExpect::deserialize(other)
                                .map_err(|error| de::Error::custom(error.to_string()))?;
                            headers.checks.push((name, expected));
                        }
                    }
                    continue;
                }
                if HeaderName::from_bytes(name.as_bytes()).is_err() {
                    return Err(de::Error::custom(format!(
                        "invalid header name `{name}`: a header name is an HTTP token such as \
                         `content-type`"
                    )));
                }
                if name.bytes().any(|b| b.is_ascii_uppercase()) {
                    return Err(de::Error::custom(format!(
                        "header name `{name}` must be lowercase: write `{}`",
                        name.to_ascii_lowercase()
                    )));
                }
                let expected: HeaderExpect = map.next_value()?;
                headers.checks.push((name, expected));
            }
            Ok(headers)
        }
    }

    deserializer.deserialize_map(ExpectedHeadersVisitor)
}

/// Deserializes `worker.routing`: `"round-robin"`, `"sticky"` or `{"random": SEED}`.
pub(crate) fn routing<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Routing>, D::Error> {
    deserialize_one_key::<D, RoutingValue>(deserializer).map(|value| Some(value.0))
}
