//! Tests of the loader: valid files in every form, and the message for each kind of mistake.

use std::path::Path;
use std::time::Duration;

use edgecase_runtime::{Routing, Syntax};
use http::Method;

use super::*;
use crate::expect::{BodyExpect, HeaderExpect};
use crate::step::{Action, Exchange, RequestBody};

const FILE: &str = "conformance/cases/basics/hello.json";

fn parse_in(dir: &Path, json: &str) -> Result<Case, String> {
    parse_case("basics/hello", Path::new(FILE), json, dir).map_err(|error| error.to_string())
}

fn parse(json: &str) -> Result<Case, String> {
    parse_in(Path::new("."), json)
}

/// Parses a case whose first step is `step`, and returns the error message.
fn step_error(step: &str) -> String {
    let json = format!(r#"{{"title": "t", "worker": {{"module": "m"}}, "steps": [{step}]}}"#);
    parse(&json).expect_err("the step is invalid")
}

/// Parses a case whose worker is `worker`, and returns the error message.
fn worker_error(worker: &str) -> String {
    let json = format!(
        r#"{{"title": "t", "worker": {worker}, "steps": [{{"request": {{}}, "expect": {{}}}}]}}"#
    );
    parse(&json).expect_err("the worker is invalid")
}

/// Parses a case whose first step is `step`, which must be valid.
fn step_case(step: &str) -> Case {
    let json = format!(r#"{{"title": "t", "worker": {{"module": "m"}}, "steps": [{step}]}}"#);
    parse(&json).expect("the step is valid")
}

fn exchange(step: &Step) -> &Exchange {
    match &step.action {
        Action::Exchange(exchange) => exchange,
        other => panic!("expected an exchange, found {other:?}"),
    }
}

#[test]
fn minimal_case_loads() {
    let case = parse(
        r#"{"title": "hello", "worker": {"module": "export default {}"},
            "steps": [{"request": {}, "expect": {"status": 200}}]}"#,
    )
    .unwrap();

    assert_eq!(case.id, "basics/hello");
    assert_eq!(case.area(), Some("basics"));
    assert_eq!(case.file, Path::new(FILE));
    assert_eq!(case.title, "hello");
    assert_eq!(case.description, "");
    assert_eq!(case.syntaxes(), [Syntax::Module]);
    assert_eq!(case.script(Syntax::Module), Some("export default {}"));
    assert_eq!(case.script(Syntax::ServiceWorker), None);

    let request = &exchange(&case.steps[0]).request;
    assert_eq!(request.method, Method::GET);
    assert_eq!(request.path, "/");
    assert!(request.headers.is_empty());
    assert_eq!(request.body, RequestBody::Empty);
    assert_eq!(exchange(&case.steps[0]).expect.status, Some(200));
}

#[test]
fn full_case_loads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sw.js"),
        "addEventListener('fetch', () => {})",
    )
    .unwrap();
    let case = parse_in(
        dir.path(),
        r#"{
            "$schema": "../../schema/case.schema.json",
            "title": "everything",
            "description": "uses every field",
            "tags": ["a", "b"],
            "requires": ["single-instance", "eviction"],
            "worker": {
                "module": "export default {}",
                "service-worker": {"file": "sw.js"},
                "bindings": {"GREETING": "hi", "$x_1": ""},
                "limits": {"cpu_ms": 50, "memory_mb": 64, "startup_cpu_ms": 200, "subrequests": 0},
                "instances": 3,
                "routing": {"random": 7}
            },
            "steps": [
                {"comment": "first", "request": {"method": "POST", "path": "/a?b=c",
                    "headers": {"X-One": "1"}, "body": {"json": {"k": [1]}}},
                 "expect": {"status": 201,
                    "headers": {"x-eq": "v", "x-gone": null, "x-has": {"contains": "a"},
                                "x-re": {"matches": "^a+$"}},
                    "body": {"json": {"ok": true}}}},
                {"concurrent": [
                    {"request": {"body": "text"}, "expect": {"body": "exact"}, "comment": "one"},
                    {"request": {"body": {"base64": "AAE="}}, "expect": {"body": {"base64": "AAE="}}}
                ]},
                {"evict": true},
                {"sleep_ms": 25, "comment": "let waitUntil finish"},
                {"request": {}, "expect": {"body": {"contains": "x"}}},
                {"request": {}, "expect": {"body": {"matches": "\\d+"}}}
            ]
        }"#,
    )
    .unwrap();

    assert_eq!(case.description, "uses every field");
    assert_eq!(case.tags, ["a", "b"]);
    assert_eq!(
        case.requires,
        [Capability::SingleInstance, Capability::Eviction]
    );
    assert_eq!(case.syntaxes(), [Syntax::Module, Syntax::ServiceWorker]);
    assert_eq!(
        case.script(Syntax::ServiceWorker),
        Some("addEventListener('fetch', () => {})")
    );
    assert_eq!(case.worker.bindings["GREETING"], "hi");
    assert_eq!(case.worker.bindings["$x_1"], "");
    assert_eq!(
        case.worker.limits,
        LimitOverrides {
            cpu_ms: Some(50),
            memory_mb: Some(64),
            startup_cpu_ms: Some(200),
            subrequests: Some(0),
        }
    );
    assert_eq!(case.worker.instances, Some(3));
    assert_eq!(case.worker.routing, Some(Routing::Random { seed: 7 }));

    let first = exchange(&case.steps[0]);
    assert_eq!(case.steps[0].comment.as_deref(), Some("first"));
    assert_eq!(first.request.method, Method::POST);
    assert_eq!(first.request.path, "/a?b=c");
    assert_eq!(first.request.headers[0].0, "x-one");
    assert_eq!(
        first.request.body,
        RequestBody::Json(serde_json::json!({"k": [1]}))
    );
    let header_names: Vec<&str> = first
        .expect
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(header_names, ["x-eq", "x-gone", "x-has", "x-re"]);
    assert!(matches!(&first.expect.headers[0].1, HeaderExpect::Equals(v) if v == "v"));
    assert!(matches!(first.expect.headers[1].1, HeaderExpect::Absent));
    assert!(matches!(&first.expect.headers[2].1, HeaderExpect::Contains(v) if v == "a"));
    assert!(matches!(&first.expect.headers[3].1, HeaderExpect::Matches(p) if p.as_str() == "^a+$"));
    assert!(matches!(&first.expect.body, Some(BodyExpect::Json(v)) if v["ok"] == true));

    let Action::Concurrent(exchanges) = &case.steps[1].action else {
        panic!("expected a concurrent step");
    };
    assert_eq!(exchanges.len(), 2);
    assert_eq!(exchanges[0].comment.as_deref(), Some("one"));
    assert_eq!(exchanges[0].request.body, RequestBody::Text("text".into()));
    assert_eq!(exchanges[1].request.body, RequestBody::Bytes(vec![0, 1]));
    assert!(matches!(&exchanges[1].expect.body, Some(BodyExpect::Bytes(b)) if b == &[0, 1]));

    assert!(matches!(case.steps[2].action, Action::Evict));
    assert!(matches!(case.steps[3].action, Action::Sleep(d) if d == Duration::from_millis(25)));
    assert!(matches!(
        &exchange(&case.steps[4]).expect.body,
        Some(BodyExpect::Contains(t)) if t == "x"
    ));
    assert!(matches!(
        &exchange(&case.steps[5]).expect.body,
        Some(BodyExpect::Matches(p)) if p.as_str() == r"\d+"
    ));
}

#[test]
fn routing_names_load() {
    for (routing, expected) in [
        ("\"round-robin\"", Routing::RoundRobin),
        ("\"sticky\"", Routing::Sticky),
    ] {
        let json = format!(
            r#"{{"title": "t", "worker": {{"module": "m", "routing": {routing}}},
                "steps": [{{"request": {{}}, "expect": {{}}}}]}}"#
        );

        assert_eq!(parse(&json).unwrap().worker.routing, Some(expected));
    }
}

#[test]
fn requirements_include_implied() {
    let case = parse(
        r#"{"title": "t", "requires": ["origin"],
            "worker": {"module": "m", "instances": 2, "limits": {"memory_mb": 8, "cpu_ms": 5}},
            "steps": [{"evict": true}]}"#,
    )
    .unwrap();

    let needs: Vec<(Capability, &str)> = case
        .requirements()
        .into_iter()
        .map(|need| (need.capability, need.source))
        .collect();
    assert_eq!(
        needs,
        [
            (Capability::Origin, "`requires`"),
            (Capability::Eviction, "an `evict` step"),
            (Capability::MultiInstance, "`worker.instances`"),
            (Capability::CpuLimit, "`worker.limits.cpu_ms`"),
            (Capability::MemoryLimit, "`worker.limits.memory_mb`"),
        ]
    );
}

#[test]
fn misspelled_expect_field() {
    let error = step_error(r#"{"request": {}, "expect": {"stauts": 200}}"#);

    assert_eq!(
        error,
        "conformance/cases/basics/hello.json: at steps[0].expect: unknown field `stauts`, \
         expected one of `status`, `headers`, `body`"
    );
}

#[test]
fn missing_title() {
    let error = parse(r#"{"worker": {"module": "m"}, "steps": [{"evict": true}]}"#).unwrap_err();

    assert_eq!(error, format!("{FILE}: missing field `title`"));
}

#[test]
fn empty_title() {
    let error = parse(r#"{"title": " ", "worker": {"module": "m"}, "steps": [{"evict": true}]}"#)
        .unwrap_err();

    assert_eq!(error, format!("{FILE}: at title: must not be empty"));
}

#[test]
fn unknown_top_level_field() {
    let error = parse(
        r#"{"title": "t", "worker": {"module": "m"}, "steps": [{"evict": true}], "step": []}"#,
    )
    .unwrap_err();

    assert_eq!(
        error,
        format!(
            "{FILE}: unknown field `step`, expected one of `title`, `description`, `tags`, \
             `requires`, `worker`, `steps`, `$schema`"
        )
    );
}

#[test]
fn expect_as_array() {
    let error = step_error(r#"{"request": {}, "expect": [200]}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].expect: invalid type: sequence, expected an expect object with \
             `status`, `headers` or `body`"
        )
    );
}

#[test]
fn document_not_an_object() {
    let error = parse("[]").unwrap_err();

    assert_eq!(
        error,
        format!(
            "{FILE}: invalid type: sequence, expected a case object with `title`, `worker` and \
             `steps`"
        )
    );
}

#[test]
fn invalid_json_syntax() {
    let error = parse("{\"title\": \"t\",\n}").unwrap_err();

    assert_eq!(
        error,
        format!("{FILE}: invalid JSON: trailing comma at line 2 column 1")
    );
}

#[test]
fn trailing_text_after_document() {
    let error = parse(r#"{"title": "t", "worker": {"module": "m"}, "steps": [{"evict": true}]} x"#)
        .unwrap_err();

    assert_eq!(
        error,
        format!("{FILE}: invalid JSON: trailing characters at line 1 column 71")
    );
}

#[test]
fn unknown_capability() {
    let error = parse(
        r#"{"title": "t", "requires": ["eviction", "teleport"], "worker": {"module": "m"},
            "steps": [{"evict": true}]}"#,
    )
    .unwrap_err();

    assert_eq!(
        error,
        format!(
            "{FILE}: at requires[1]: unknown capability `teleport`, expected one of \
             `single-instance`, `multi-instance`, `eviction`, `origin`, `cpu-limit`, \
             `memory-limit`"
        )
    );
}

#[test]
fn no_steps() {
    let error = parse(r#"{"title": "t", "worker": {"module": "m"}, "steps": []}"#).unwrap_err();

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps: a case needs at least one step, such as {{\"request\": {{}}, \
             \"expect\": {{\"status\": 200}}}}"
        )
    );
}

#[test]
fn worker_without_script() {
    let error = worker_error(r#"{"bindings": {}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at worker: a worker needs a `module` script, a `service-worker` script or both"
        )
    );
}

#[test]
fn worker_unknown_field() {
    let error = worker_error(r#"{"module": "m", "serviceWorker": "s"}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at worker: unknown field `serviceWorker`, expected one of `module`, \
             `service-worker`, `bindings`, `limits`, `instances`, `routing`"
        )
    );
}

#[test]
fn script_of_wrong_type() {
    let error = worker_error(r#"{"module": 1}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at worker.module: invalid type: integer `1`, expected script source text or \
             {{\"file\": \"name.js\"}}"
        )
    );
}

#[test]
fn script_object_unknown_key() {
    let error = worker_error(r#"{"module": {"path": "a.js"}}"#);

    assert_eq!(
        error,
        format!("{FILE}: at worker.module: unknown field `path`, expected `file`")
    );
}

#[test]
fn script_file_empty() {
    let error = worker_error(r#"{"module": {"file": ""}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at worker.module: `file` must name a script relative to the case file, such \
             as `worker.js`"
        )
    );
}

#[test]
fn script_file_missing() {
    let dir = tempfile::tempdir().unwrap();
    let json = r#"{"title": "t", "worker": {"service-worker": {"file": "gone.js"}},
                   "steps": [{"evict": true}]}"#;

    let error = parse_in(dir.path(), json).unwrap_err();

    let script = workspace::display_path(&dir.path().join("gone.js"));
    assert_eq!(
        error,
        format!(
            "{FILE}: at worker.service-worker.file: failed to read script `{}`: No such file or \
             directory (os error 2)",
            script.display()
        )
    );
}

#[test]
fn null_script_is_rejected() {
    let error = worker_error(r#"{"module": null, "service-worker": "s"}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at worker.module: invalid type: null, expected script source text or \
             {{\"file\": \"name.js\"}}"
        )
    );
}

#[test]
fn binding_name_not_identifier() {
    let error = worker_error(r#"{"module": "m", "bindings": {"MY-VAR": "x"}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at worker.bindings: binding name `MY-VAR` is not a JavaScript identifier: \
             use ASCII letters, digits, `_` and `$`, not starting with a digit"
        )
    );
}

#[test]
fn binding_value_not_text() {
    let error = worker_error(r#"{"module": "m", "bindings": {"N": 1}}"#);

    assert_eq!(
        error,
        format!("{FILE}: at worker.bindings.N: invalid type: integer `1`, expected a string")
    );
}

#[test]
fn limits_unknown_field() {
    let error = worker_error(r#"{"module": "m", "limits": {"cpu": 5}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at worker.limits: unknown field `cpu`, expected one of `cpu_ms`, \
             `memory_mb`, `startup_cpu_ms`, `subrequests`"
        )
    );
}

#[test]
fn limit_zero() {
    let error = worker_error(r#"{"module": "m", "limits": {"cpu_ms": 0}}"#);

    assert_eq!(
        error,
        format!("{FILE}: at worker.limits.cpu_ms: must be at least 1, found 0")
    );
}

#[test]
fn instances_zero() {
    let error = worker_error(r#"{"module": "m", "instances": 0}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at worker.instances: `instances` must be at least 1: a worker needs an \
             isolate to run in"
        )
    );
}

#[test]
fn routing_unknown_name() {
    let error = worker_error(r#"{"module": "m", "routing": "random"}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at worker.routing: unknown routing `random`, expected `round-robin`, \
             `sticky` or {{\"random\": SEED}}"
        )
    );
}

#[test]
fn routing_seed_not_integer() {
    let error = worker_error(r#"{"module": "m", "routing": {"random": -1}}"#);

    assert_eq!(
        error,
        format!("{FILE}: at worker.routing.random: invalid value: integer `-1`, expected u64")
    );
}

#[test]
fn step_unknown_field() {
    let error = step_error(r#"{"requst": {}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0]: unknown field `requst`, expected one of `request`, `expect`, \
             `concurrent`, `evict`, `sleep_ms`, `comment`"
        )
    );
}

#[test]
fn step_with_two_actions() {
    let error = step_error(r#"{"request": {}, "expect": {}, "evict": true}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0]: a step does one thing, found `request` and `evict`: split it \
             into one step each"
        )
    );
}

#[test]
fn step_without_action() {
    let error = step_error(r#"{"comment": "nothing"}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0]: a step needs one of `request`, `concurrent`, `evict` or \
             `sleep_ms`"
        )
    );
}

#[test]
fn request_without_expect() {
    let error = step_error(r#"{"request": {}}"#);

    assert_eq!(
        error,
        format!("{FILE}: at steps[0]: missing field `expect`")
    );
}

#[test]
fn expect_without_request() {
    let error = step_error(r#"{"concurrent": [{"request": {}, "expect": {}}], "expect": {}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0]: `expect` needs a `request` in the same step; inside \
             `concurrent`, put both in each entry"
        )
    );
}

#[test]
fn duplicate_step_field() {
    let error = step_error(r#"{"sleep_ms": 1, "sleep_ms": 2}"#);

    assert_eq!(
        error,
        format!("{FILE}: at steps[0]: duplicate field `sleep_ms`")
    );
}

#[test]
fn evict_false() {
    let error = step_error(r#"{"evict": false}"#);

    assert_eq!(
        error,
        format!("{FILE}: at steps[0]: `evict` must be true; remove the step to not evict")
    );
}

#[test]
fn sleep_negative() {
    let error = step_error(r#"{"sleep_ms": -5}"#);

    assert_eq!(
        error,
        format!("{FILE}: at steps[0].sleep_ms: invalid value: integer `-5`, expected u64")
    );
}

#[test]
fn concurrent_empty() {
    let error = step_error(r#"{"concurrent": []}"#);

    assert_eq!(
        error,
        format!("{FILE}: at steps[0]: `concurrent` needs at least one request")
    );
}

#[test]
fn concurrent_entry_unknown_field() {
    let error = step_error(r#"{"concurrent": [{"request": {}, "expect": {}, "evict": true}]}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].concurrent[0]: unknown field `evict`, expected one of \
             `request`, `expect`, `comment`"
        )
    );
}

#[test]
fn request_unknown_field() {
    let error = step_error(r#"{"request": {"url": "/"}, "expect": {}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].request: unknown field `url`, expected one of `method`, `path`, \
             `headers`, `body`"
        )
    );
}

#[test]
fn path_without_slash() {
    let error = step_error(r#"{"request": {"path": "items"}, "expect": {}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].request.path: invalid path `items`: a path starts with `/`, such \
             as `/items?id=1`, and percent-encodes spaces, non-ASCII bytes and the characters \
             #\"<>`"
        )
    );
}

#[test]
fn path_with_reserved_character() {
    for path in [
        "/a b",
        "/a#b",
        "/caf\u{e9}",
        "/a<b",
        "/a>b",
        "/a`b",
        "/?q=\"x\"",
    ] {
        let request = serde_json::json!({"path": path});

        let error = step_error(&format!(r#"{{"request": {request}, "expect": {{}}}}"#));

        assert!(
            error.starts_with(&format!(
                "{FILE}: at steps[0].request.path: invalid path `{path}`"
            )),
            "{error}"
        );
    }
}

#[test]
fn path_with_every_allowed_character() {
    let allowed: String = (0x21u8..0x7f)
        .map(char::from)
        .filter(|c| !"#\"<>`".contains(*c))
        .collect();
    let path = format!("/{allowed}?{allowed}");
    let request = serde_json::json!({"path": path});

    let case = step_case(&format!(r#"{{"request": {request}, "expect": {{}}}}"#));

    assert_eq!(exchange(&case.steps[0]).request.path, path);
}

#[test]
fn method_not_token() {
    let error = step_error(r#"{"request": {"method": "GET IT"}, "expect": {}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].request.method: invalid method `GET IT`: a method is an HTTP \
             token such as `GET` or `PATCH`"
        )
    );
}

#[test]
fn request_header_value_with_newline() {
    let error = step_error(r#"{"request": {"headers": {"x-a": "1\n2"}}, "expect": {}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].request.headers: invalid value \"1\\n2\" for header `x-a`: use \
             printable ASCII, spaces and tabs"
        )
    );
}

#[test]
fn request_header_name_not_token() {
    let error = step_error(r#"{"request": {"headers": {"x a": "1"}}, "expect": {}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].request.headers: invalid header name `x a`: a header name is an \
             HTTP token such as `content-type`"
        )
    );
}

#[test]
fn request_body_unknown_key() {
    let error = step_error(r#"{"request": {"body": {"text": "x"}}, "expect": {}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].request.body: unknown field `text`, expected `base64` or `json`"
        )
    );
}

#[test]
fn request_body_null() {
    let error = step_error(r#"{"request": {"body": null}, "expect": {}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].request.body: invalid type: null, expected a string, \
             {{\"base64\": \"...\"}} or {{\"json\": VALUE}}"
        )
    );
}

#[test]
fn status_out_of_range() {
    let error = step_error(r#"{"request": {}, "expect": {"status": 99}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].expect.status: invalid status 99: a status code is from 100 to \
             599"
        )
    );
}

#[test]
fn status_as_string() {
    let error = step_error(r#"{"request": {}, "expect": {"status": "200"}}"#);

    assert_eq!(
        error,
        format!("{FILE}: at steps[0].expect.status: invalid type: string \"200\", expected u64")
    );
}

#[test]
fn expected_header_uppercase() {
    let error = step_error(r#"{"request": {}, "expect": {"headers": {"Content-Type": "x"}}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].expect.headers: header name `Content-Type` must be lowercase: \
             write `content-type`"
        )
    );
}

#[test]
fn expected_header_unknown_matcher() {
    let error = step_error(r#"{"request": {}, "expect": {"headers": {"x": {"equals": "a"}}}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].expect.headers.x: unknown field `equals`, expected `contains` or \
             `matches`"
        )
    );
}

#[test]
fn expected_header_number() {
    let error = step_error(r#"{"request": {}, "expect": {"headers": {"x": 1}}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].expect.headers.x: invalid type: integer `1`, expected a string, \
             null, {{\"contains\": \"...\"}} or {{\"matches\": \"REGEX\"}}"
        )
    );
}

#[test]
fn body_matcher_misspelled() {
    let error = step_error(r#"{"request": {}, "expect": {"body": {"contain": "x"}}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].expect.body: unknown field `contain`, expected one of \
             `contains`, `matches`, `json`, `base64`, `snapshot`"
        )
    );
}

#[test]
fn body_matcher_two_keys() {
    let error =
        step_error(r#"{"request": {}, "expect": {"body": {"contains": "x", "matches": "y"}}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].expect.body: expected an object with one key, found `contains` \
             and `matches`"
        )
    );
}

#[test]
fn body_matcher_empty_object() {
    let error = step_error(r#"{"request": {}, "expect": {"body": {}}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].expect.body: expected an object with one key, one of \
             `contains`, `matches`, `json`, `base64`, `snapshot`, found an empty object"
        )
    );
}

#[test]
fn body_regex_invalid() {
    let error = step_error(r#"{"request": {}, "expect": {"body": {"matches": "(a"}}}"#);

    assert!(
        error.starts_with(&format!(
            "{FILE}: at steps[0].expect.body: invalid regex \"(a\": regex parse error:"
        )),
        "{error}"
    );
}

#[test]
fn body_base64_invalid() {
    let error = step_error(r#"{"request": {}, "expect": {"body": {"base64": "AB$="}}}"#);

    assert_eq!(
        error,
        format!(
            "{FILE}: at steps[0].expect.body: invalid base64 \"AB$=\": Invalid symbol 36, offset \
             2.; use the standard alphabet with `=` padding"
        )
    );
}

#[test]
fn case_id_uses_slashes() {
    let id = case_id(Path::new("/cases"), Path::new("/cases/area/sub/name.json"));

    assert_eq!(id, "area/sub/name");
}

#[test]
fn dir_loads_sorted_and_skips_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let valid = r#"{"title": "t", "worker": {"module": "m"}, "steps": [{"evict": true}]}"#;
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    std::fs::create_dir_all(dir.path().join(".hidden")).unwrap();
    std::fs::write(dir.path().join("b/two.json"), valid).unwrap();
    std::fs::write(dir.path().join("b/one.json"), valid).unwrap();
    std::fs::write(dir.path().join("b/notes.js"), "not a case").unwrap();
    std::fs::write(dir.path().join("top.json"), valid).unwrap();
    std::fs::write(dir.path().join(".hidden/x.json"), "{").unwrap();
    std::fs::write(dir.path().join("b/.draft.json"), "{").unwrap();

    let loaded = load_dir(dir.path()).unwrap();

    let ids: Vec<&str> = loaded.iter().map(Loaded::id).collect();
    assert_eq!(ids, ["b/one", "b/two", "top"]);
    assert!(loaded.iter().all(|item| matches!(item, Loaded::Case(_))));
}

#[test]
fn broken_file_keeps_its_syntaxes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.json"),
        r#"{"title": "t", "worker": {"module": "m", "service-worker": "s"},
            "steps": [{"request": {}, "expect": {"stauts": 1}}]}"#,
    )
    .unwrap();

    let loaded = load_file(dir.path(), &dir.path().join("bad.json"));

    let Loaded::Broken(broken) = loaded else {
        panic!("expected a broken case");
    };
    assert_eq!(broken.id, "bad");
    assert_eq!(broken.syntaxes, [Syntax::Module, Syntax::ServiceWorker]);
    assert!(
        broken.error.to_string().contains("unknown field `stauts`"),
        "{}",
        broken.error
    );
}

#[test]
fn unparsable_file_has_no_syntaxes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), "{\"worker\": {\"module\": ").unwrap();

    let Loaded::Broken(broken) = load_file(dir.path(), &dir.path().join("bad.json")) else {
        panic!("expected a broken case");
    };

    assert!(broken.syntaxes.is_empty());
    assert!(
        broken
            .error
            .to_string()
            .contains(": invalid JSON: EOF while parsing"),
        "{}",
        broken.error
    );
}

#[test]
fn duplicate_id_across_dirs() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    let valid = r#"{"title": "t", "worker": {"module": "m"}, "steps": [{"evict": true}]}"#;
    std::fs::write(first.path().join("same.json"), valid).unwrap();
    std::fs::write(second.path().join("same.json"), valid).unwrap();

    let loaded = load_dirs(&[first.path().to_path_buf(), second.path().to_path_buf()]).unwrap();

    assert_eq!(loaded.len(), 2);
    assert!(matches!(loaded[0], Loaded::Case(_)));
    let Loaded::Broken(broken) = &loaded[1] else {
        panic!("expected the second file to be broken");
    };
    assert_eq!(broken.syntaxes, [Syntax::Module]);
    let message = broken.error.to_string();
    assert!(
        message.contains("duplicate case id `same`, already loaded from"),
        "{message}"
    );
}

#[test]
fn missing_dir_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");

    let error = load_dirs(std::slice::from_ref(&missing)).unwrap_err();

    assert_eq!(
        error.to_string(),
        format!(
            "failed to read cases directory `{}`: No such file or directory (os error 2): check \
             EDGECASE_CASES",
            missing.display()
        )
    );
}
