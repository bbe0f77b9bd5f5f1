//! Transcripts: with `EDGECASE_TRANSCRIPTS=1`, every exchange of a trial, the request and the
//! normalized response, is written to `<target dir>/edgecase/transcripts/<target>/<case
//! id>.<syntax>.txt`, so that a reviewer can compare two runtimes' responses to one case.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use edgecase_runtime::Syntax;

use crate::normalize::normalize;
use crate::response::{Response, display_bytes};
use crate::step::Request;

/// The exchanges of one trial, in step order, so that the requests of a concurrent step appear
/// in file order whichever response arrived first.
#[derive(Default)]
pub struct Transcript {
    entries: Mutex<Vec<((usize, usize), String)>>,
}

impl Transcript {
    /// Records one exchange: its position (step index, and request index in a concurrent
    /// step), a label for that position, the request, and the response or the error that took
    /// its place.
    pub fn record(
        &self,
        position: (usize, usize),
        location: &str,
        request: &Request,
        response: Result<&Response, &str>,
    ) {
        let mut out = String::new();
        let _ = writeln!(out, "## {location}");
        let _ = writeln!(out, "> {} {}", request.method, request.path);
        for (name, value) in &request.headers {
            let _ = writeln!(
                out,
                "> {}: {}",
                name,
                String::from_utf8_lossy(value.as_bytes())
            );
        }
        let body = request.to_http().into_body();
        if !body.is_empty() {
            let _ = writeln!(out, ">");
            for line in display_bytes(&body).lines() {
                let _ = writeln!(out, "> {line}");
            }
        }
        out.push('\n');

        match response {
            Ok(response) => {
                let _ = writeln!(out, "< {}", response.status);
                let mut names: Vec<&str> =
                    response.headers.keys().map(|name| name.as_str()).collect();
                names.sort_unstable();
                names.dedup();
                for name in names {
                    let value = response.header(name).unwrap_or_default();
                    let _ = writeln!(out, "< {name}: {value}");
                }
                let _ = writeln!(out, "<");
                for line in display_bytes(&response.body).lines() {
                    let _ = writeln!(out, "< {line}");
                }
            }
            Err(error) => {
                let _ = writeln!(out, "! {}", error.replace('\n', "\n! "));
            }
        }
        out.push('\n');
        self.lock().push((position, normalize(&out)));
    }

    /// Returns the whole transcript.
    pub fn text(&self) -> String {
        let mut entries = self.lock().clone();
        entries.sort_by_key(|(position, _)| *position);
        entries.into_iter().map(|(_, text)| text).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<((usize, usize), String)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Returns the transcript file of a trial under a target's transcript directory.
pub fn path_for(dir: &Path, case_id: &str, syntax: Syntax) -> PathBuf {
    dir.join(format!("{case_id}.{syntax}.txt"))
}

/// Writes a transcript, creating its directory.
pub fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::{HeaderMap, StatusCode};

    use super::*;

    fn request(json: &str) -> Request {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn exchange_shows_request_and_response() {
        let transcript = Transcript::default();
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "text/plain".parse().unwrap());
        headers.insert("date", "Fri, 04 Dec 2026 06:19:50 GMT".parse().unwrap());
        let response = Response {
            status: StatusCode::OK,
            headers,
            body: Bytes::from_static(b"hi from 127.0.0.1:4000"),
        };

        transcript.record(
            (0, 0),
            "steps[0]",
            &request(
                r#"{"method": "POST", "path": "/echo", "headers": {"x-a": "1"}, "body": "ping"}"#,
            ),
            Ok(&response),
        );

        assert_eq!(
            transcript.text(),
            "## steps[0]\n> POST /echo\n> x-a: 1\n>\n> ping\n\n< 200 OK\n< content-type: \
             text/plain\n< date: [HTTP-DATE]\n<\n< hi from 127.0.0.1:[PORT]\n\n"
        );
    }

    #[test]
    fn error_takes_response_place() {
        let transcript = Transcript::default();

        transcript.record(
            (1, 0),
            "steps[1]",
            &request("{}"),
            Err("connection closed\nby peer"),
        );

        assert_eq!(
            transcript.text(),
            "## steps[1]\n> GET /\n\n! connection closed\n! by peer\n\n"
        );
    }

    #[test]
    fn entries_follow_step_order() {
        let transcript = Transcript::default();

        transcript.record(
            (0, 1),
            "steps[0].concurrent[1]",
            &request("{}"),
            Err("second"),
        );
        transcript.record(
            (0, 0),
            "steps[0].concurrent[0]",
            &request("{}"),
            Err("first"),
        );

        let text = transcript.text();
        let first = text.find("! first").unwrap();
        let second = text.find("! second").unwrap();
        assert!(first < second, "{text}");
    }

    #[test]
    fn path_has_case_and_syntax() {
        assert_eq!(
            path_for(
                Path::new("/t/exec-workerd"),
                "basics/hello",
                Syntax::ServiceWorker
            ),
            Path::new("/t/exec-workerd/basics/hello.service-worker.txt")
        );
    }
}
