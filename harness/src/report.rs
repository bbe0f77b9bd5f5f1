//! Failure reports: where a trial failed and how the response differed, in labeled blocks.

use std::fmt::{self, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use edgecase_runtime::Syntax;
use similar::TextDiff;

use crate::error::Error;
use crate::expect::{BodyExpect, Mismatch};
use crate::response::{Response, display_bytes};

/// Maximum length in bytes of an actual body that a report prints in full.
const BODY_DISPLAY_LIMIT: usize = 4096;

/// The failure of a trial, with everything that its report shows.
#[derive(Debug)]
pub struct Failure {
    /// The case file.
    pub file: PathBuf,
    /// The syntax the trial ran.
    pub syntax: Syntax,
    /// The target's name.
    pub target: String,
    /// The problems, in step order. A concurrent step may have several.
    pub problems: Vec<Problem>,
    /// The last lines that a launched server printed, which often give the reason for a 500.
    pub server_output: Option<String>,
}

/// Lines of a launched server's output that a failure report shows.
const SERVER_OUTPUT_LINES: usize = 20;

/// One thing that went wrong, and where.
#[derive(Debug)]
pub struct Problem {
    /// The position in the case.
    pub location: Location,
    /// The kind of problem, with its data.
    pub detail: Detail,
}

/// A position in a case, as reports name it.
#[derive(Clone, Debug, Default)]
pub struct Location {
    /// Index of the step in `steps`, or `None` for starting or stopping the worker.
    pub step: Option<usize>,
    /// Index of the request in a `concurrent` step.
    pub concurrent: Option<usize>,
    /// The request as `METHOD path`, when the step sends one.
    pub request: Option<String>,
    /// The comments of the step and of the exchange.
    pub comments: Vec<String>,
}

/// The kind of problem, with its data.
#[derive(Debug)]
pub enum Detail {
    /// The target could not start the worker.
    Start(Error),
    /// A step failed before a response arrived, such as a refused connection.
    Step(Error),
    /// A step took longer than the step timeout.
    Timeout {
        /// The step timeout.
        limit: Duration,
        /// The awaited event, such as `the response`.
        waiting_for: &'static str,
    },
    /// The response differed from the expectation.
    Mismatch {
        /// The differences.
        mismatches: Vec<Mismatch>,
        /// The response.
        response: Box<Response>,
    },
    /// The worker could not be removed after the steps passed.
    Stop(Error),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "case file: {}", self.file.display())?;
        writeln!(f, "syntax:    {}", self.syntax)?;
        writeln!(f, "target:    {}", self.target)?;
        for problem in &self.problems {
            writeln!(f)?;
            write!(f, "{problem}")?;
        }
        if let Some(output) = self
            .server_output
            .as_deref()
            .filter(|text| !text.trim().is_empty())
        {
            let lines: Vec<&str> = output.lines().collect();
            let shown = &lines[lines.len().saturating_sub(SERVER_OUTPUT_LINES)..];
            writeln!(f)?;
            writeln!(f, "server output (last {} lines):", shown.len())?;
            for line in shown {
                writeln!(f, "    {line}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = &self.location;
        match (location.step, location.concurrent) {
            (Some(step), Some(index)) => {
                writeln!(f, "step:      steps[{step}].concurrent[{index}]")?
            }
            (Some(step), None) => writeln!(f, "step:      steps[{step}]")?,
            (None, _) => {}
        }
        if let Some(request) = &location.request {
            writeln!(f, "request:   {request}")?;
        }
        for comment in &location.comments {
            writeln!(f, "comment:   {comment}")?;
        }
        writeln!(f)?;
        write_detail(f, &self.detail)
    }
}

fn write_detail(f: &mut fmt::Formatter<'_>, detail: &Detail) -> fmt::Result {
    match detail {
        Detail::Start(error) => writeln!(f, "failed to start the worker: {error}"),
        Detail::Step(error) => writeln!(f, "error: {error}"),
        Detail::Timeout { limit, waiting_for } => writeln!(
            f,
            "timed out after {} ms waiting for {waiting_for}: the target hangs or is slow; \
             raise EDGECASE_STEP_TIMEOUT_MS to wait longer",
            limit.as_millis()
        ),
        Detail::Stop(error) => writeln!(f, "failed to stop the worker after its steps: {error}"),
        Detail::Mismatch {
            mismatches,
            response,
        } => {
            for (index, mismatch) in mismatches.iter().enumerate() {
                if index > 0 {
                    writeln!(f)?;
                }
                f.write_str(&render_mismatch(mismatch, response))?;
            }
            Ok(())
        }
    }
}

/// Renders one mismatch as a labeled block.
pub fn render_mismatch(mismatch: &Mismatch, response: &Response) -> String {
    let mut out = String::new();
    match mismatch {
        Mismatch::Status { expected, actual } => {
            let _ = writeln!(out, "status");
            let _ = writeln!(out, "  expected: {expected}");
            let _ = writeln!(out, "  actual:   {actual}");
        }
        Mismatch::Header {
            name,
            expected,
            actual,
        } => {
            let actual = match actual {
                Some(value) => format!("{value:?}"),
                None => "absent".to_string(),
            };
            let _ = writeln!(out, "header `{name}`");
            let _ = writeln!(out, "  expected: {expected}");
            let _ = writeln!(out, "  actual:   {actual}");
        }
        Mismatch::Body { expected, reason } => {
            out.push_str(&render_body(expected, reason.as_deref(), &response.body));
        }
        Mismatch::Snapshot { file, message } => {
            let _ = writeln!(out, "snapshot `{}`", file.display());
            let _ = writeln!(out, "  {}", message.trim_end().replace('\n', "\n  "));
            let _ = writeln!(
                out,
                "  insta printed the difference on stderr and wrote any new snapshot as \
                 `.snap.new`: accept it with `cargo insta review`, or rerun with \
                 INSTA_UPDATE=always"
            );
        }
    }
    out
}

fn render_body(expected: &BodyExpect, reason: Option<&str>, body: &[u8]) -> String {
    let mut out = String::new();
    match expected {
        BodyExpect::Equals(text) => {
            let _ = writeln!(out, "body (-expected +actual)");
            out.push_str(&diff(text, &display_bytes(body)));
        }
        BodyExpect::Bytes(bytes) => {
            let _ = writeln!(out, "body bytes (-expected +actual)");
            out.push_str(&diff(&display_bytes(bytes), &display_bytes(body)));
        }
        BodyExpect::Json(value) => {
            let expected = serde_json::to_string_pretty(value).unwrap_or_default();
            match serde_json::from_slice::<serde_json::Value>(body) {
                Ok(actual) => {
                    let actual = serde_json::to_string_pretty(&actual).unwrap_or_default();
                    let _ = writeln!(out, "body as JSON (-expected +actual)");
                    out.push_str(&diff(&expected, &actual));
                }
                Err(_) => {
                    let _ = writeln!(out, "body");
                    let _ = writeln!(out, "  expected JSON:");
                    out.push_str(&indent(&expected));
                    out.push_str(&actual_body(reason, body));
                }
            }
        }
        BodyExpect::Contains(text) => {
            let _ = writeln!(out, "body");
            let _ = writeln!(out, "  expected to contain: {text:?}");
            out.push_str(&actual_body(reason, body));
        }
        BodyExpect::Matches(pattern) => {
            let _ = writeln!(out, "body");
            let _ = writeln!(out, "  expected to match: /{}/", pattern.as_str());
            out.push_str(&actual_body(reason, body));
        }
        BodyExpect::Snapshot => {
            let _ = writeln!(out, "body");
            let _ = writeln!(out, "  expected to match the stored snapshot");
            out.push_str(&actual_body(reason, body));
        }
    }
    out
}

fn actual_body(reason: Option<&str>, body: &[u8]) -> String {
    let mut out = String::new();
    if let Some(reason) = reason {
        let _ = writeln!(out, "  {reason}");
    }
    let _ = writeln!(out, "  actual ({} bytes):", body.len());
    let shown = &body[..body.len().min(BODY_DISPLAY_LIMIT)];
    out.push_str(&indent(&display_bytes(shown)));
    if body.len() > BODY_DISPLAY_LIMIT {
        let _ = writeln!(
            out,
            "    ... {} more bytes",
            body.len() - BODY_DISPLAY_LIMIT
        );
    }
    out
}

fn indent(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let _ = writeln!(out, "    {line}");
    }
    if text.is_empty() {
        let _ = writeln!(out, "    (empty)");
    }
    out
}

/// Returns a unified diff of two texts, line by line.
///
/// When neither text ends with a line break, both get one, so that the diff does not mark a
/// missing final newline that the two share.
pub fn diff(expected: &str, actual: &str) -> String {
    let (expected, actual) = if expected.ends_with('\n') || actual.ends_with('\n') {
        (expected.to_string(), actual.to_string())
    } else {
        (format!("{expected}\n"), format!("{actual}\n"))
    };
    TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .header("expected", "actual")
        .to_string()
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::{HeaderMap, StatusCode};
    use regex::Regex;

    use super::*;
    use crate::expect::{HeaderExpect, Pattern};

    fn response(body: &'static [u8]) -> Response {
        Response {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(body),
        }
    }

    fn failure(detail: Detail) -> Failure {
        Failure {
            file: PathBuf::from("conformance/cases/basics/hello.json"),
            syntax: Syntax::Module,
            target: "reference".into(),
            problems: vec![Problem {
                location: Location {
                    step: Some(1),
                    concurrent: Some(2),
                    request: Some("POST /items".into()),
                    comments: vec!["adds an item".into()],
                },
                detail,
            }],
            server_output: None,
        }
    }

    #[test]
    fn report_names_file_step_and_request() {
        let report = failure(Detail::Mismatch {
            mismatches: vec![Mismatch::Status {
                expected: 201,
                actual: 500,
            }],
            response: Box::new(response(b"")),
        })
        .to_string();

        assert_eq!(
            report,
            "case file: conformance/cases/basics/hello.json\n\
             syntax:    module\n\
             target:    reference\n\
             \n\
             step:      steps[1].concurrent[2]\n\
             request:   POST /items\n\
             comment:   adds an item\n\
             \n\
             status\n  expected: 201\n  actual:   500\n"
        );
    }

    #[test]
    fn report_ends_with_server_output() {
        let mut report = failure(Detail::Timeout {
            limit: Duration::from_millis(5),
            waiting_for: "the response",
        });
        let output: Vec<String> = (1..=25).map(|n| format!("line {n}")).collect();
        report.server_output = Some(output.join("\n"));

        let text = report.to_string();

        assert!(
            text.ends_with(
                "\nserver output (last 20 lines):\n    line 6\n    line 7\n    line 8\n    \
                            line 9\n    line 10\n    line 11\n    line 12\n    line 13\n    \
                            line 14\n    line 15\n    line 16\n    line 17\n    line 18\n    \
                            line 19\n    line 20\n    line 21\n    line 22\n    line 23\n    \
                            line 24\n    line 25\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn header_block_shows_absent() {
        let mismatch = Mismatch::Header {
            name: "content-type".into(),
            expected: HeaderExpect::Contains("json".into()),
            actual: None,
        };

        assert_eq!(
            render_mismatch(&mismatch, &response(b"")),
            "header `content-type`\n  expected: contains \"json\"\n  actual:   absent\n"
        );
    }

    #[test]
    fn text_body_is_diffed() {
        let mismatch = Mismatch::Body {
            expected: BodyExpect::Equals("a\nb\n".into()),
            reason: None,
        };

        let block = render_mismatch(&mismatch, &response(b"a\nc\n"));

        assert!(
            block.starts_with("body (-expected +actual)\n--- expected\n+++ actual\n"),
            "{block}"
        );
        assert!(block.contains("\n-b\n+c\n"), "{block}");
    }

    #[test]
    fn json_body_is_diffed_pretty() {
        let mismatch = Mismatch::Body {
            expected: BodyExpect::Json(serde_json::json!({"a": 1})),
            reason: None,
        };

        let block = render_mismatch(&mismatch, &response(br#"{"a":2}"#));

        assert!(block.contains("-  \"a\": 1\n+  \"a\": 2\n"), "{block}");
    }

    #[test]
    fn binary_body_shows_base64() {
        let mismatch = Mismatch::Body {
            expected: BodyExpect::Bytes(vec![1, 2]),
            reason: None,
        };

        let block = render_mismatch(&mismatch, &response(&[0xff, 0xfe]));

        assert!(block.contains("-base64: AQI=\n+base64: //4=\n"), "{block}");
    }

    #[test]
    fn pattern_block_shows_actual_body() {
        let mismatch = Mismatch::Body {
            expected: BodyExpect::Matches(Pattern(Regex::new("^ok$").unwrap())),
            reason: None,
        };

        assert_eq!(
            render_mismatch(&mismatch, &response(b"not ok")),
            "body\n  expected to match: /^ok$/\n  actual (6 bytes):\n    not ok\n"
        );
    }

    #[test]
    fn long_body_is_truncated() {
        static LONG: [u8; 5000] = [b'x'; 5000];
        let mismatch = Mismatch::Body {
            expected: BodyExpect::Contains("y".into()),
            reason: None,
        };

        let block = render_mismatch(&mismatch, &response(&LONG));

        assert!(block.ends_with("    ... 904 more bytes\n"), "{block}");
    }

    #[test]
    fn timeout_names_the_setting() {
        let report = failure(Detail::Timeout {
            limit: Duration::from_millis(250),
            waiting_for: "the response",
        })
        .to_string();

        assert!(
            report.ends_with(
                "timed out after 250 ms waiting for the response: the target hangs or is slow; \
                 raise EDGECASE_STEP_TIMEOUT_MS to wait longer\n"
            ),
            "{report}"
        );
    }
}
