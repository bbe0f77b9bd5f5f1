//! Normalizations: named rewrites that make a response independent of the machine and the run,
//! applied before a response is snapshotted or written to a transcript.
//!
//! Each rewrite replaces what changes between runs with a placeholder in brackets, such as
//! `[PORT]`, so that two runs of one case produce the same text. [`NORMALIZATIONS`] lists them in
//! the order they apply.

use std::sync::LazyLock;

use regex::Regex;

/// One named rewrite of text.
pub struct Normalization {
    /// A short name, such as `loopback-port`.
    pub name: &'static str,
    /// The text the rewrite replaces, and its placeholder.
    pub description: &'static str,
    pattern: &'static str,
    replacement: &'static str,
}

/// Every normalization, in the order they apply.
pub const NORMALIZATIONS: &[Normalization] = &[
    Normalization {
        name: "temp-dir",
        description: "a trial's temporary directory, such as /tmp/edgecase-case-AbC123, becomes \
                      [TMPDIR]",
        pattern: r"(?:/[\w.-]+)*/edgecase-case-[A-Za-z0-9]+",
        replacement: "[TMPDIR]",
    },
    Normalization {
        name: "loopback-port",
        description: "the port of a loopback address, such as 127.0.0.1:41234 or \
                      localhost:8787, becomes [PORT]",
        pattern: r"(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}\b",
        replacement: "$1:[PORT]",
    },
    Normalization {
        name: "http-date",
        description: "an HTTP date, such as Fri, 04 Dec 2026 06:19:50 GMT, becomes [HTTP-DATE]",
        pattern: r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT\b",
        replacement: "[HTTP-DATE]",
    },
    Normalization {
        name: "iso-timestamp",
        description: "an ISO 8601 UTC timestamp, such as 2026-12-04T06:19:50.123Z, becomes \
                      [TIMESTAMP]",
        pattern: r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b",
        replacement: "[TIMESTAMP]",
    },
    Normalization {
        name: "uuid",
        description: "a UUID in its 8-4-4-4-12 hex form becomes [UUID]",
        pattern: r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
        replacement: "[UUID]",
    },
    Normalization {
        name: "request-id",
        description: "the value of a request id header (cf-ray, x-request-id, x-vercel-id) \
                      becomes [REQUEST-ID]",
        pattern: r"(?im)^(\s*(?:cf-ray|x-request-id|x-vercel-id): ).+$",
        replacement: "$1[REQUEST-ID]",
    },
    Normalization {
        name: "runtime-version",
        description: "a runtime's version after its name, such as workerd 2026-11-23, Deno/2.9.6, \
                      Bun/1.4.5 or edgecase-runtime 0.1.0, becomes [VERSION]",
        pattern: r"(?i)\b(workerd|wrangler|deno|bun|edge-runtime|edgecase-runtime|node)([ /]v?)\d+(?:[.-]\d+)+(?:[-+][\w.]+)?",
        replacement: "$1$2[VERSION]",
    },
];

struct Compiled {
    name: &'static str,
    regex: Regex,
    replacement: &'static str,
}

static COMPILED: LazyLock<Vec<Compiled>> = LazyLock::new(|| {
    NORMALIZATIONS
        .iter()
        .map(|normalization| Compiled {
            name: normalization.name,
            regex: Regex::new(normalization.pattern).expect("normalization patterns are valid"),
            replacement: normalization.replacement,
        })
        .collect()
});

/// Applies every normalization to `text`, in order.
pub fn normalize(text: &str) -> String {
    let mut text = text.to_string();
    for compiled in COMPILED.iter() {
        text = compiled
            .regex
            .replace_all(&text, compiled.replacement)
            .into_owned();
    }
    text
}

/// Applies one normalization by name, or returns `None` when no normalization has that name.
pub fn apply(name: &str, text: &str) -> Option<String> {
    let compiled = COMPILED.iter().find(|compiled| compiled.name == name)?;
    Some(
        compiled
            .regex
            .replace_all(text, compiled.replacement)
            .into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &str, text: &str) -> String {
        apply(name, text).expect("the normalization exists")
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = NORMALIZATIONS.iter().map(|n| n.name).collect();
        names.sort_unstable();
        names.dedup();

        assert_eq!(names.len(), NORMALIZATIONS.len());
    }

    #[test]
    fn temp_dir_is_replaced() {
        assert_eq!(
            one(
                "temp-dir",
                "at file:///tmp/edgecase-case-AbC123/worker.js:1:5"
            ),
            "at file://[TMPDIR]/worker.js:1:5"
        );
    }

    #[test]
    fn loopback_port_is_replaced() {
        assert_eq!(
            one(
                "loopback-port",
                "http://127.0.0.1:41234/path and localhost:8787"
            ),
            "http://127.0.0.1:[PORT]/path and localhost:[PORT]"
        );
        assert_eq!(one("loopback-port", "[::1]:9000"), "[::1]:[PORT]");
        assert_eq!(one("loopback-port", "10.0.0.1:80"), "10.0.0.1:80");
    }

    #[test]
    fn http_date_is_replaced() {
        assert_eq!(
            one("http-date", "date: Fri, 04 Dec 2026 06:19:50 GMT"),
            "date: [HTTP-DATE]"
        );
        assert_eq!(one("http-date", "Fri, 04 Dec 2026"), "Fri, 04 Dec 2026");
    }

    #[test]
    fn iso_timestamp_is_replaced() {
        assert_eq!(
            one("iso-timestamp", r#"{"at":"2026-12-04T06:19:50.123Z"}"#),
            r#"{"at":"[TIMESTAMP]"}"#
        );
        assert_eq!(one("iso-timestamp", "2026-12-04T06:19:50Z"), "[TIMESTAMP]");
        assert_eq!(one("iso-timestamp", "2026-12-04"), "2026-12-04");
    }

    #[test]
    fn uuid_is_replaced() {
        assert_eq!(
            one("uuid", "id=3F2504E0-4F89-41D3-9A0C-0305E82C3301;"),
            "id=[UUID];"
        );
        assert_eq!(one("uuid", "3f2504e0-4f89"), "3f2504e0-4f89");
    }

    #[test]
    fn request_id_header_is_replaced() {
        assert_eq!(
            one("request-id", "  cf-ray: 8c1f2a3b4c5d6e7f-SJC\n  x-other: 1"),
            "  cf-ray: [REQUEST-ID]\n  x-other: 1"
        );
        assert_eq!(
            one("request-id", "X-Request-Id: abc123"),
            "X-Request-Id: [REQUEST-ID]"
        );
    }

    #[test]
    fn runtime_version_is_replaced() {
        assert_eq!(
            one("runtime-version", "workerd 2026-11-23"),
            "workerd [VERSION]"
        );
        assert_eq!(
            one("runtime-version", "server: Deno/2.9.6, Bun/1.4.5+a7733435c"),
            "server: Deno/[VERSION], Bun/[VERSION]"
        );
        assert_eq!(
            one(
                "runtime-version",
                "edgecase-runtime 0.1.0 at Node.js v20.20.2"
            ),
            "edgecase-runtime [VERSION] at Node.js v20.20.2"
        );
        assert_eq!(one("runtime-version", "node/v20.20.2"), "node/v[VERSION]");
    }

    #[test]
    fn normalize_applies_all_in_order() {
        let text = "GET http://127.0.0.1:5555/x at Fri, 04 Dec 2026 06:19:50 GMT by workerd \
                    2026-11-23 id 3f2504e0-4f89-41d3-9a0c-0305e82c3301";

        assert_eq!(
            normalize(text),
            "GET http://127.0.0.1:[PORT]/x at [HTTP-DATE] by workerd [VERSION] id [UUID]"
        );
    }

    #[test]
    fn unknown_name_is_none() {
        assert!(apply("ports", "x").is_none());
    }
}
