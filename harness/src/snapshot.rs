//! Response snapshots: a step whose expectation has `"body": {"snapshot": true}` or `"headers":
//! {"snapshot": true}` compares the normalized response with an insta snapshot.
//!
//! Snapshots live under `conformance/snapshots/<runtime>/`, one file per trial step, named
//! `<case name>@<syntax>.step<N>.snap` in the directory of the case's area. `<runtime>` is
//! `reference` for both reference targets and the profile name for a real runtime, so a reviewer
//! can put two runtimes' responses to one step side by side. A missing or changed snapshot fails
//! the step, and insta writes the new one as `.snap.new` for `cargo insta review`, except in CI
//! (`CI=true`), where nothing is written. `INSTA_UPDATE=always` writes snapshots in place.

use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use edgecase_runtime::Syntax;

use crate::case::Case;
use crate::expect::{BodyExpect, Expect};
use crate::normalize::normalize;
use crate::response::{Response, display_bytes};

/// The location of one step's snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotName {
    /// The directory: `<snapshots dir>/<runtime>/<case id's directories>`.
    pub dir: PathBuf,
    /// The name insta files it under, such as `hello-headers@module.step0`.
    pub name: String,
}

impl SnapshotName {
    /// Returns the name of a step's snapshot. `position` is the step's index, and the request's
    /// index for a step of concurrent requests.
    pub fn new(
        runtime_dir: &Path,
        case_id: &str,
        syntax: Syntax,
        step: usize,
        concurrent: Option<usize>,
    ) -> SnapshotName {
        let (area, name) = match case_id.rsplit_once('/') {
            Some((area, name)) => (Some(area), name),
            None => (None, case_id),
        };
        let dir = match area {
            Some(area) => runtime_dir.join(area),
            None => runtime_dir.to_path_buf(),
        };
        let mut snapshot = format!("{name}@{syntax}.step{step}");
        if let Some(index) = concurrent {
            let _ = write!(snapshot, ".{index}");
        }
        SnapshotName {
            dir,
            name: snapshot,
        }
    }

    /// Returns the snapshot file.
    pub fn file(&self) -> PathBuf {
        self.dir.join(format!("{}.snap", self.name))
    }
}

/// Headers that describe the HTTP connection rather than the worker's response. A header
/// snapshot leaves them out, because the in-process reference target has no connection and
/// shares its snapshots with the binary served over HTTP.
pub const TRANSPORT_HEADERS: [&str; 5] = [
    "connection",
    "content-length",
    "date",
    "keep-alive",
    "transfer-encoding",
];

/// Returns the text that a snapshot stores: the status, the headers when the expectation
/// snapshots them, and the body when it snapshots the body, each normalized.
///
/// Headers are sorted by name, with the values of a repeated header joined by `, `, and
/// [`TRANSPORT_HEADERS`] are left out.
pub fn render(expect: &Expect, response: &Response) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "status: {}", response.status.as_u16());

    if expect.headers_snapshot {
        let mut names: Vec<&str> = response
            .headers
            .keys()
            .map(|name| name.as_str())
            .filter(|name| !TRANSPORT_HEADERS.contains(name))
            .collect();
        names.sort_unstable();
        names.dedup();
        out.push_str("headers:\n");
        for name in names {
            let value = response.header(name).unwrap_or_default();
            let _ = writeln!(out, "  {name}: {value}");
        }
    }

    if matches!(expect.body, Some(BodyExpect::Snapshot)) {
        let body = display_bytes(&response.body);
        out.push_str("body:\n");
        out.push_str(&body);
        if !body.ends_with('\n') {
            out.push('\n');
        }
    }
    normalize(&out)
}

/// Compares the rendered response with the stored snapshot, and returns insta's message when
/// they differ or the snapshot is missing.
pub fn check(
    name: &SnapshotName,
    case: &Case,
    request_summary: &str,
    content: &str,
) -> Result<(), String> {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(&name.dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_input_file(&case.file);
    settings.set_description(format!("{}: {request_summary}", case.title));
    settings.set_omit_expression(true);

    // insta reports a difference by panicking after it printed the diff and wrote `.snap.new`.
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!(name.name.as_str(), content));
    }));
    result.map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|text| text.to_string()))
            .unwrap_or_else(|| "the snapshot assertion failed".into())
    })
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::{HeaderMap, StatusCode};

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

    fn expect(headers: bool, body: bool) -> Expect {
        Expect {
            headers_snapshot: headers,
            body: body.then_some(BodyExpect::Snapshot),
            ..Expect::default()
        }
    }

    #[test]
    fn name_follows_case_path() {
        let name = SnapshotName::new(
            Path::new("/s/workerd"),
            "snapshots/hello-headers",
            Syntax::Module,
            2,
            None,
        );

        assert_eq!(name.dir, Path::new("/s/workerd/snapshots"));
        assert_eq!(name.name, "hello-headers@module.step2");
        assert_eq!(
            name.file(),
            Path::new("/s/workerd/snapshots/hello-headers@module.step2.snap")
        );
    }

    #[test]
    fn concurrent_request_has_index() {
        let name = SnapshotName::new(Path::new("/s"), "top", Syntax::ServiceWorker, 0, Some(3));

        assert_eq!(name.dir, Path::new("/s"));
        assert_eq!(name.name, "top@service-worker.step0.3");
    }

    #[test]
    fn render_sorts_and_normalizes_headers() {
        let response = response(
            &[
                ("x-b", "2"),
                ("x-at", "Fri, 04 Dec 2026 06:19:50 GMT"),
                ("x-b", "3"),
                ("content-type", "text/plain"),
            ],
            b"",
        );

        assert_eq!(
            render(&expect(true, false), &response),
            "status: 200\nheaders:\n  content-type: text/plain\n  x-at: [HTTP-DATE]\n  x-b: 2, 3\n"
        );
    }

    #[test]
    fn render_leaves_out_transport_headers() {
        let response = response(
            &[
                ("content-length", "5"),
                ("date", "Fri, 04 Dec 2026 06:19:50 GMT"),
                ("connection", "keep-alive"),
                ("x-a", "1"),
            ],
            b"",
        );

        assert_eq!(
            render(&expect(true, false), &response),
            "status: 200\nheaders:\n  x-a: 1\n"
        );
    }

    #[test]
    fn render_body_only() {
        let response = response(&[("x-a", "1")], b"served by 127.0.0.1:4444");

        assert_eq!(
            render(&expect(false, true), &response),
            "status: 200\nbody:\nserved by 127.0.0.1:[PORT]\n"
        );
    }

    #[test]
    fn binary_body_is_base64() {
        let response = response(&[], &[0xff, 0x00]);

        assert_eq!(
            render(&expect(false, true), &response),
            "status: 200\nbody:\nbase64: /wA=\n"
        );
    }
}
