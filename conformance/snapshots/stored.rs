//! Checks that every stored response snapshot belongs to a step that snapshots its response, so
//! a renamed or removed case leaves no snapshot behind.
//!
//! This test lives beside the snapshots because cargo-insta looks for snapshots under the
//! directories of a package's targets: with a target here, `cargo insta review` finds the
//! pending `.snap.new` files of `conformance/snapshots/`.

use std::path::{Path, PathBuf};

use edgecase_harness::load::{Loaded, load_dirs};
use edgecase_harness::snapshot::SnapshotName;
use edgecase_harness::step::Action;
use edgecase_harness::workspace;

/// Directory names under `conformance/snapshots/`, one per runtime that has snapshots.
const RUNTIMES: [&str; 7] = [
    "reference",
    "workerd",
    "wrangler",
    "deno",
    "bun",
    "edge-runtime",
    "url",
];

fn stored_snapshots(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "snap") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Returns the snapshot file of every step that snapshots its response, on every runtime.
fn expected_snapshots() -> Vec<PathBuf> {
    let loaded = load_dirs(&[workspace::default_cases_dir()]).unwrap();
    let mut files = Vec::new();
    for item in loaded {
        let Loaded::Case(case) = item else {
            continue;
        };
        for runtime in RUNTIMES {
            let runtime_dir = workspace::snapshots_dir().join(runtime);
            for syntax in case.syntaxes() {
                for (index, step) in case.steps.iter().enumerate() {
                    let exchanges = match &step.action {
                        Action::Exchange(exchange) => vec![(None, exchange)],
                        Action::Concurrent(exchanges) => exchanges
                            .iter()
                            .enumerate()
                            .map(|(position, exchange)| (Some(position), exchange))
                            .collect(),
                        Action::Evict | Action::Sleep(_) => Vec::new(),
                    };
                    for (position, exchange) in exchanges {
                        if exchange.expect.has_snapshot() {
                            let name =
                                SnapshotName::new(&runtime_dir, &case.id, syntax, index, position);
                            files.push(name.file());
                        }
                    }
                }
            }
        }
    }
    files
}

#[test]
fn every_snapshot_has_a_step() {
    let expected = expected_snapshots();

    for file in stored_snapshots(&workspace::snapshots_dir()) {
        assert!(
            expected.contains(&file),
            "{} belongs to no step with a snapshot expectation: the case was renamed or \
             removed, or the step no longer snapshots; delete the file",
            workspace::display_path(&file).display()
        );
    }
}

#[test]
fn runtime_directories_are_known() {
    for entry in std::fs::read_dir(workspace::snapshots_dir()).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            RUNTIMES.contains(&name.as_str()),
            "conformance/snapshots/{name} is not a runtime's snapshot directory; expected one of \
             {RUNTIMES:?}"
        );
    }
}

#[test]
fn reference_has_every_snapshot() {
    let reference = workspace::snapshots_dir().join("reference");

    for file in expected_snapshots()
        .into_iter()
        .filter(|file| file.starts_with(&reference))
    {
        assert!(
            file.is_file(),
            "{} is missing: run `INSTA_UPDATE=always cargo test -p edgecase-harness --test \
             conformance -- snapshots/` and review the new file",
            workspace::display_path(&file).display()
        );
    }
}
