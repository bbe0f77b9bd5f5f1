//! The response of a target, read in full, and the views of it that expectations compare.

use base64::Engine;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};

/// A response with its whole body.
#[derive(Clone, Debug)]
pub struct Response {
    /// The status code.
    pub status: StatusCode,
    /// The headers as the target sent them.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Response {
    /// Returns a header's value as `Headers.get` does in Workers: every value of that name
    /// joined with `", "`, or `None` when the header is absent.
    ///
    /// Bytes that are not UTF-8 are replaced with U+FFFD.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<String> = self
            .headers
            .get_all(name)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect();
        if values.is_empty() {
            None
        } else {
            Some(values.join(", "))
        }
    }

    /// Returns the body as text, or `None` when it is not valid UTF-8.
    pub fn body_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }
}

/// Returns bytes as report text: the text itself when it is UTF-8 without control characters
/// other than tab and line breaks, else `base64: ...`.
pub fn display_bytes(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text)
            if !text
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) =>
        {
            text.to_string()
        }
        _ => format!(
            "base64: {}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(headers: &[(&'static str, &'static str)], body: &'static [u8]) -> Response {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(*name, value.parse().unwrap());
        }
        Response {
            status: StatusCode::OK,
            headers: map,
            body: Bytes::from_static(body),
        }
    }

    #[test]
    fn repeated_header_is_joined() {
        let response = response(&[("x-a", "1"), ("x-a", "2")], b"");

        assert_eq!(response.header("x-a").as_deref(), Some("1, 2"));
    }

    #[test]
    fn absent_header_is_none() {
        let response = response(&[("x-a", "1")], b"");

        assert_eq!(response.header("x-b"), None);
    }

    #[test]
    fn binary_body_displays_as_base64() {
        assert_eq!(display_bytes(&[0xff, 0x00]), "base64: /wA=");
        assert_eq!(display_bytes(&[0x01, 0x02]), "base64: AQI=");
        assert_eq!(display_bytes(b"plain\ttext\n"), "plain\ttext\n");
    }
}
