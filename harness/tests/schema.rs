//! Checks that `conformance/schema/case.schema.json` and the loader agree: every shipped case
//! and every valid fixture passes both, and every broken fixture fails both.

use std::path::{Path, PathBuf};

use edgecase_harness::expectations::Expectations;
use edgecase_harness::load::{self, Loaded};
use edgecase_harness::workspace;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(workspace::case_schema()).expect("the schema is readable");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft202012::meta::validate(&schema).expect("the schema is a valid 2020-12 schema");
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn schema_errors(validator: &jsonschema::Validator, file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    validator
        .iter_errors(&document)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

fn assert_valid(validator: &jsonschema::Validator, dir: &Path, file: &Path) {
    let errors = schema_errors(validator, file);
    assert!(
        errors.is_empty(),
        "{} fails the schema: {errors:#?}",
        file.display()
    );

    if let Loaded::Broken(broken) = load::load_file(dir, file) {
        panic!("the loader rejects {}: {}", file.display(), broken.error);
    }
}

#[test]
fn shipped_cases_pass_schema_and_loader() {
    let validator = validator();
    let dir = workspace::default_cases_dir();

    for file in json_files(&dir) {
        assert_valid(&validator, &dir, &file);
    }
}

#[test]
fn valid_fixtures_pass_schema_and_loader() {
    let validator = validator();
    let dir = fixtures().join("valid");
    let files = json_files(&dir);
    assert!(files.len() >= 2, "fixtures missing in {}", dir.display());

    for file in files {
        assert_valid(&validator, &dir, &file);
    }
}

#[test]
fn broken_fixtures_fail_schema_and_loader() {
    let validator = validator();
    let dir = fixtures().join("invalid");
    // Each broken fixture, and a part of the loader's message for it.
    let expected = [
        (
            "binding-not-identifier",
            "at worker.bindings: binding name `my-var`",
        ),
        (
            "body-two-keys",
            "at steps[0].expect.body: expected an object with one key",
        ),
        (
            "empty-concurrent",
            "at steps[0]: `concurrent` needs at least one request",
        ),
        ("evict-false", "at steps[0]: `evict` must be true"),
        ("expect-array", "at steps[0].expect: invalid type: sequence"),
        (
            "header-value-newline",
            "at steps[0].request.headers: invalid value",
        ),
        ("invalid-regex", "at steps[0].expect.body: invalid regex"),
        (
            "misspelled-status",
            "at steps[0].expect: unknown field `stauts`",
        ),
        ("no-script", "at worker: a worker needs a `module` script"),
        ("no-steps", "at steps: a case needs at least one step"),
        ("no-title", "missing field `title`"),
        (
            "snapshot-false",
            "at steps[0].expect.body: `snapshot` must be true",
        ),
        (
            "noncanonical-base64",
            "at steps[0].request.body: invalid base64",
        ),
        (
            "null-request-body",
            "at steps[0].request.body: invalid type: null",
        ),
        (
            "random-routing-as-text",
            "at worker.routing: unknown routing `random`",
        ),
        (
            "relative-path",
            "at steps[0].request.path: invalid path `items`",
        ),
        (
            "status-out-of-range",
            "at steps[0].expect.status: invalid status 600",
        ),
        ("two-actions", "at steps[0]: a step does one thing"),
        (
            "unknown-capability",
            "at requires[0]: unknown capability `teleport`",
        ),
        (
            "uppercase-header",
            "at steps[0].expect.headers: header name `Content-Type`",
        ),
        (
            "zero-instances",
            "at worker.instances: `instances` must be at least 1",
        ),
    ];
    let files = json_files(&dir);
    assert_eq!(
        files.len(),
        expected.len(),
        "each broken fixture needs an expected message"
    );

    for (name, fragment) in expected {
        let file = dir.join(format!("{name}.json"));

        let errors = schema_errors(&validator, &file);
        assert!(!errors.is_empty(), "the schema accepts {}", file.display());

        let Loaded::Broken(broken) = load::load_file(&dir, &file) else {
            panic!("the loader accepts {}", file.display());
        };
        let message = broken.error.to_string();
        let prefix = format!("{}: ", workspace::display_path(&file).display());
        assert!(message.starts_with(&prefix), "{message}");
        assert!(message.contains(fragment), "{name}: {message}");
    }
}

#[test]
fn expectation_files_pass_schema_and_loader() {
    let dir = workspace::expectations_dir();
    let text = std::fs::read_to_string(
        dir.parent()
            .unwrap()
            .join("schema/expectations.schema.json"),
    )
    .expect("the expectations schema is readable");
    let schema: Value = serde_json::from_str(&text).expect("the expectations schema is JSON");
    jsonschema::draft202012::meta::validate(&schema).expect("the schema is a valid 2020-12 schema");
    let validator = jsonschema::draft202012::new(&schema).expect("the schema compiles");
    let files = json_files(&dir);
    assert!(
        files.iter().any(|file| file.ends_with("reference.json")),
        "conformance/expectations/reference.json is missing"
    );

    for file in files {
        let errors = schema_errors(&validator, &file);
        assert!(
            errors.is_empty(),
            "{} fails the schema: {errors:#?}",
            file.display()
        );
        if let Err(error) = Expectations::load(&file) {
            panic!("the loader rejects {}: {error}", file.display());
        }
    }
}

#[test]
fn reference_expects_no_failures() {
    let table = Expectations::load(&workspace::expectations_dir().join("reference.json")).unwrap();

    assert!(
        table.expected_failures.is_empty(),
        "the reference runtime must pass every case, but reference.json lists {:?}",
        table.expected_failures.keys().collect::<Vec<_>>()
    );
}
