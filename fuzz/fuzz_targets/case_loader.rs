//! Feeds arbitrary text to the case loader: it must return a case or an error, never panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = Path::new("fuzz/case.json");
    // Scripts given as files resolve against a directory that does not exist, so the loader
    // reports them as missing instead of reading the disk.
    let _ = edgecase_harness::load::parse_case("fuzz/case", file, text, Path::new("/nonexistent"));
});
