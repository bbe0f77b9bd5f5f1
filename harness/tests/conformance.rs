//! The conformance suite: every case under `conformance/cases` (or `EDGECASE_CASES`) against
//! the target in `EDGECASE_TARGET`, as one libtest-mimic trial per case and syntax.

use std::process::ExitCode;

fn main() -> ExitCode {
    edgecase_harness::cli::main()
}
