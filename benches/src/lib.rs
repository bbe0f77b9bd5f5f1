//! Fixtures shared by the benchmarks: the hello worker in both syntaxes, workers that echo, parse
//! JSON or wait on a timer, request builders, and the process memory readings that some benches
//! print beside criterion's timings.

use std::path::PathBuf;

use bytes::Bytes;

/// The hello worker in ES module syntax.
pub const HELLO_MODULE: &str =
    "export default { fetch() { return new Response('Hello World!'); } };\n";

/// The hello worker in service-worker syntax.
pub const HELLO_SERVICE_WORKER: &str =
    "addEventListener('fetch', (event) => event.respondWith(new Response('Hello World!')));\n";

/// A module worker that responds with the request body it received.
pub const ECHO_MODULE: &str = "export default {
  async fetch(request) {
    return new Response(await request.arrayBuffer());
  },
};
";

/// A module worker that parses the request body as JSON and sends the value back with
/// `Response.json`.
pub const JSON_MODULE: &str = "export default {
  async fetch(request) {
    return Response.json(await request.json());
  },
};
";

/// A module worker that waits `N` milliseconds on `setTimeout` for `GET /wait/N`, then responds
/// with `done`. Any other path gets `ready` at once.
pub const TIMER_MODULE: &str = "export default {
  async fetch(request) {
    const match = new URL(request.url).pathname.match(/^\\/wait\\/(\\d+)$/);
    if (match === null) {
      return new Response('ready');
    }
    await new Promise((resolve) => setTimeout(resolve, Number(match[1])));
    return new Response('done');
  },
};
";

/// A JSON document of about 200 bytes for the JSON round trip.
pub const JSON_DOCUMENT: &str = r#"{"id":1234,"name":"edgecase","active":true,"score":98.5,"tags":["workers","isolate","bench"],"owner":{"id":7,"email":"owner@example.com"},"items":[{"sku":"a-1","qty":2},{"sku":"b-2","qty":1}]}"#;

/// Environment variable naming a folder where benches write the figures that criterion does not
/// record, such as memory per isolate, as `<bench>.json`. `cargo xtask bench` sets it.
pub const FIGURES_DIR_VAR: &str = "EDGECASE_BENCH_FIGURES";

/// Builds a GET request for `path` on a fixed local origin.
pub fn get(path: &str) -> http::Request<Bytes> {
    http::Request::builder()
        .uri(format!("http://localhost{path}"))
        .body(Bytes::new())
        .expect("static request is valid")
}

/// Builds a POST request for `path` with `body` and the given content type.
pub fn post(path: &str, content_type: &str, body: Bytes) -> http::Request<Bytes> {
    http::Request::builder()
        .method(http::Method::POST)
        .uri(format!("http://localhost{path}"))
        .header(http::header::CONTENT_TYPE, content_type)
        .body(body)
        .expect("static request is valid")
}

/// Returns the hello module padded with a comment block to about `bytes` bytes, so the cost of
/// parsing a large script shows without changing what it does.
pub fn padded_module(bytes: usize) -> String {
    let mut script = String::with_capacity(bytes + 128);
    let mut index = 0;
    while script.len() < bytes {
        script.push_str(&format!(
            "function helper{index}(a, b) {{ return [a, b, {index}].join('-'); }}\n"
        ));
        index += 1;
    }
    script.push_str(HELLO_MODULE);
    script
}

/// Returns a body of `len` bytes of printable ASCII.
pub fn payload(len: usize) -> Bytes {
    (0..len).map(|i| b'a' + (i % 26) as u8).collect()
}

/// Returns this process's resident set size in bytes, from `VmRSS` in `/proc/self/status`.
///
/// Panics when the file cannot be read, which means the bench is not running on Linux.
pub fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status")
        .expect("/proc/self/status is readable (the memory benches need Linux)");
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("/proc/self/status has a VmRSS line in kB");
    kib * 1024
}

/// Returns freed heap memory to the OS, so a following [`resident_bytes`] baseline does not
/// include free pages that later allocations would reuse without growing the RSS.
///
/// glibc trims every malloc arena, the isolate threads' arenas included. On other C libraries
/// this does nothing and a growth measured from such a baseline may read low.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory and has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Writes `figures` to `<dir>/<bench>.json` when [`FIGURES_DIR_VAR`] names a folder, and
/// returns the path written.
pub fn record_figures(bench: &str, figures: &serde_json::Value) -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os(FIGURES_DIR_VAR)?);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("failed to create figures folder `{}`: {e}", dir.display()));
    let path = dir.join(format!("{bench}.json"));
    let text = serde_json::to_string_pretty(figures).expect("figures serialize to JSON");
    std::fs::write(&path, text)
        .unwrap_or_else(|e| panic!("failed to write figures to `{}`: {e}", path.display()));
    Some(path)
}
