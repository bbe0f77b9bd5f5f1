//! Expectations on a response and the matchers that check them.

use std::fmt;

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use crate::response::Response;

/// Checks on a response. A part that is left out is not checked.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(from = "ExpectFields")]
pub struct Expect {
    /// The status code.
    pub status: Option<u16>,
    /// Checks on headers, by lowercase name, in file order.
    pub headers: Vec<(String, HeaderExpect)>,
    /// Whether the headers are compared with a stored snapshot, from `"headers": {"snapshot":
    /// true}`.
    pub headers_snapshot: bool,
    /// The check on the body.
    pub body: Option<BodyExpect>,
}

impl Expect {
    /// Returns whether any part of the response is compared with a stored snapshot.
    pub fn has_snapshot(&self) -> bool {
        self.headers_snapshot || matches!(self.body, Some(BodyExpect::Snapshot))
    }
}

/// The fields of an expect object as a case file writes them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectFields {
    #[serde(default, deserialize_with = "crate::de::status")]
    status: Option<u16>,
    #[serde(default, deserialize_with = "crate::de::expected_headers")]
    headers: crate::de::ExpectedHeaders,
    #[serde(default, deserialize_with = "crate::de::some")]
    body: Option<BodyExpect>,
}

impl From<ExpectFields> for Expect {
    fn from(fields: ExpectFields) -> Self {
        Expect {
            status: fields.status,
            headers: fields.headers.checks,
            headers_snapshot: fields.headers.snapshot,
            body: fields.body,
        }
    }
}

/// A check on one header, compared with the value `Headers.get` returns.
#[derive(Clone, Debug)]
pub enum HeaderExpect {
    /// The value equals this text.
    Equals(String),
    /// The header is absent.
    Absent,
    /// The value contains this text.
    Contains(String),
    /// The regex matches somewhere in the value.
    Matches(Pattern),
}

/// A check on the body.
#[derive(Clone, Debug)]
pub enum BodyExpect {
    /// The body is exactly this text.
    Equals(String),
    /// The body is UTF-8 and contains this text.
    Contains(String),
    /// The body is UTF-8 and the regex matches somewhere in it.
    Matches(Pattern),
    /// The body parses as JSON equal to this value. Numbers compare by value, so `1` equals
    /// `1.0`.
    Json(Value),
    /// The body is exactly these bytes, written in the case as base64.
    Bytes(Vec<u8>),
    /// The body, normalized, equals the stored snapshot of the step, from `{"snapshot": true}`.
    /// [`check`] passes it, and the runner compares the snapshot.
    Snapshot,
}

/// A regex from a case file, in the syntax of the `regex` crate, unanchored unless it uses `^`
/// or `$`.
#[derive(Clone, Debug)]
pub struct Pattern(pub Regex);

impl Pattern {
    /// Returns the regex as the case wrote it.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for HeaderExpect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderExpect::Equals(text) => write!(f, "{text:?}"),
            HeaderExpect::Absent => f.write_str("absent"),
            HeaderExpect::Contains(text) => write!(f, "contains {text:?}"),
            HeaderExpect::Matches(pattern) => write!(f, "matches /{}/", pattern.as_str()),
        }
    }
}

/// One way a response differs from its expectation.
#[derive(Clone, Debug)]
pub enum Mismatch {
    /// The status code differs.
    Status {
        /// The expected code.
        expected: u16,
        /// The code the target sent.
        actual: u16,
    },
    /// A header check failed.
    Header {
        /// The header name, lowercase.
        name: String,
        /// The check.
        expected: HeaderExpect,
        /// The value as `Headers.get` returns it, `None` when absent.
        actual: Option<String>,
    },
    /// The body check failed.
    Body {
        /// The check.
        expected: BodyExpect,
        /// Why the body could not be compared, such as `the body is not valid JSON: ...`.
        reason: Option<String>,
    },
    /// The normalized response differs from the stored snapshot, or no snapshot is stored.
    Snapshot {
        /// The snapshot file.
        file: std::path::PathBuf,
        /// insta's message.
        message: String,
    },
}

/// Checks a response and returns every difference, status first, then headers in file order,
/// then the body.
pub fn check(expect: &Expect, response: &Response) -> Vec<Mismatch> {
    let mut mismatches = Vec::new();

    if let Some(expected) = expect.status {
        let actual = response.status.as_u16();
        if actual != expected {
            mismatches.push(Mismatch::Status { expected, actual });
        }
    }

    for (name, expected) in &expect.headers {
        let actual = response.header(name);
        if !header_matches(expected, actual.as_deref()) {
            mismatches.push(Mismatch::Header {
                name: name.clone(),
                expected: expected.clone(),
                actual,
            });
        }
    }

    if let Some(expected) = &expect.body {
        if let Err(reason) = body_matches(expected, &response.body) {
            mismatches.push(Mismatch::Body {
                expected: expected.clone(),
                reason,
            });
        }
    }

    mismatches
}

/// Returns whether a header value passes a check, where `actual` is `None` for an absent header.
pub fn header_matches(expected: &HeaderExpect, actual: Option<&str>) -> bool {
    match (expected, actual) {
        (HeaderExpect::Absent, actual) => actual.is_none(),
        (_, None) => false,
        (HeaderExpect::Equals(text), Some(actual)) => actual == text,
        (HeaderExpect::Contains(text), Some(actual)) => actual.contains(text.as_str()),
        (HeaderExpect::Matches(pattern), Some(actual)) => pattern.0.is_match(actual),
    }
}

/// Checks a body. On failure, the error has a reason when the body could not be compared at all,
/// such as a JSON check on a body that is not JSON.
pub fn body_matches(expected: &BodyExpect, body: &[u8]) -> Result<(), Option<String>> {
    let passed = match expected {
        BodyExpect::Equals(text) => body == text.as_bytes(),
        BodyExpect::Bytes(bytes) => body == bytes.as_slice(),
        BodyExpect::Contains(text) => utf8(body)?.contains(text.as_str()),
        BodyExpect::Matches(pattern) => pattern.0.is_match(utf8(body)?),
        BodyExpect::Json(value) => {
            let actual: Value = serde_json::from_slice(body)
                .map_err(|error| Some(format!("the body is not valid JSON: {error}")))?;
            json_equal(value, &actual)
        }
        BodyExpect::Snapshot => true,
    };
    if passed { Ok(()) } else { Err(None) }
}

fn utf8(body: &[u8]) -> Result<&str, Option<String>> {
    std::str::from_utf8(body).map_err(|error| Some(format!("the body is not valid UTF-8: {error}")))
}

/// Compares JSON values structurally, with numbers compared by value: JavaScript has one number
/// type, so `JSON.stringify` writes `1.0` as `1`.
pub fn json_equal(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i128(), b.as_i128()) {
            (Some(a), Some(b)) => a == b,
            _ => a.as_f64() == b.as_f64(),
        },
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, a)| b.get(key).is_some_and(|b| json_equal(a, b)))
        }
        _ => expected == actual,
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::{HeaderMap, StatusCode};
    use serde_json::json;

    use super::*;

    fn pattern(regex: &str) -> Pattern {
        Pattern(Regex::new(regex).unwrap())
    }

    fn response(status: u16, headers: &[(&'static str, &'static str)], body: &[u8]) -> Response {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(*name, value.parse().unwrap());
        }
        Response {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: Bytes::copy_from_slice(body),
        }
    }

    #[test]
    fn header_equals() {
        let expected = HeaderExpect::Equals("text/plain".into());

        assert!(header_matches(&expected, Some("text/plain")));
        assert!(!header_matches(&expected, Some("text/plain;charset=UTF-8")));
        assert!(!header_matches(&expected, None));
    }

    #[test]
    fn header_absent() {
        assert!(header_matches(&HeaderExpect::Absent, None));
        assert!(!header_matches(&HeaderExpect::Absent, Some("")));
    }

    #[test]
    fn header_contains() {
        let expected = HeaderExpect::Contains("charset".into());

        assert!(header_matches(&expected, Some("text/plain;charset=UTF-8")));
        assert!(!header_matches(&expected, Some("text/plain")));
        assert!(!header_matches(&expected, None));
    }

    #[test]
    fn header_matches_regex() {
        let expected = HeaderExpect::Matches(pattern(r"^max-age=\d+$"));

        assert!(header_matches(&expected, Some("max-age=60")));
        assert!(!header_matches(&expected, Some("public, max-age=60")));
        assert!(!header_matches(&expected, None));
    }

    #[test]
    fn body_equals() {
        let expected = BodyExpect::Equals("hello".into());

        assert_eq!(body_matches(&expected, b"hello"), Ok(()));
        assert_eq!(body_matches(&expected, b"hello\n"), Err(None));
    }

    #[test]
    fn body_contains() {
        let expected = BodyExpect::Contains("ell".into());

        assert_eq!(body_matches(&expected, b"hello"), Ok(()));
        assert_eq!(body_matches(&expected, b"help"), Err(None));
    }

    #[test]
    fn body_contains_rejects_binary() {
        let expected = BodyExpect::Contains("a".into());

        let reason = body_matches(&expected, &[0xff]).unwrap_err().unwrap();
        assert!(
            reason.starts_with("the body is not valid UTF-8"),
            "{reason}"
        );
    }

    #[test]
    fn body_matches_regex() {
        let expected = BodyExpect::Matches(pattern(r"id=\d{3}"));

        assert_eq!(body_matches(&expected, b"x id=123 y"), Ok(()));
        assert_eq!(body_matches(&expected, b"id=12"), Err(None));
    }

    #[test]
    fn body_json() {
        let expected = BodyExpect::Json(json!({"a": [1, 2.0], "b": null}));

        assert_eq!(
            body_matches(&expected, br#"{"b":null,"a":[1.0,2]}"#),
            Ok(())
        );
        assert_eq!(body_matches(&expected, br#"{"a":[1,2]}"#), Err(None));
        assert_eq!(
            body_matches(&expected, br#"{"a":[1,3],"b":null}"#),
            Err(None)
        );
    }

    #[test]
    fn body_json_rejects_invalid_json() {
        let expected = BodyExpect::Json(json!(1));

        let reason = body_matches(&expected, b"one").unwrap_err().unwrap();
        assert!(reason.starts_with("the body is not valid JSON"), "{reason}");
    }

    #[test]
    fn body_bytes() {
        let expected = BodyExpect::Bytes(vec![0, 255]);

        assert_eq!(body_matches(&expected, &[0, 255]), Ok(()));
        assert_eq!(body_matches(&expected, &[0, 254]), Err(None));
    }

    #[test]
    fn body_snapshot_passes_check() {
        assert_eq!(body_matches(&BodyExpect::Snapshot, b"anything"), Ok(()));
    }

    #[test]
    fn json_numbers_compare_by_value() {
        assert!(json_equal(&json!(1), &json!(1.0)));
        assert!(!json_equal(&json!(1), &json!(1.5)));
        assert!(!json_equal(&json!(1), &json!("1")));
        assert!(json_equal(&json!(u64::MAX), &json!(u64::MAX)));
    }

    #[test]
    fn check_lists_each_mismatch() {
        let expect = Expect {
            status: Some(200),
            headers: vec![
                ("x-ok".into(), HeaderExpect::Equals("1".into())),
                ("x-bad".into(), HeaderExpect::Absent),
            ],
            headers_snapshot: false,
            body: Some(BodyExpect::Equals("hi".into())),
        };
        let response = response(404, &[("x-ok", "1"), ("x-bad", "2")], b"nope");

        let mismatches = check(&expect, &response);

        assert_eq!(mismatches.len(), 3, "{mismatches:?}");
        assert!(matches!(
            mismatches[0],
            Mismatch::Status {
                expected: 200,
                actual: 404
            }
        ));
        assert!(matches!(&mismatches[1], Mismatch::Header { name, .. } if name == "x-bad"));
        assert!(matches!(mismatches[2], Mismatch::Body { reason: None, .. }));
    }

    #[test]
    fn check_passes_matching_response() {
        let expect = Expect {
            status: Some(201),
            headers: vec![("x-a".into(), HeaderExpect::Equals("1, 2".into()))],
            headers_snapshot: false,
            body: Some(BodyExpect::Contains("made".into())),
        };
        let response = response(201, &[("x-a", "1"), ("x-a", "2")], b"made it");

        assert!(check(&expect, &response).is_empty());
    }
}
