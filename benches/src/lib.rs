//! Fixtures shared by the benchmarks: the hello worker in both syntaxes and request builders.

use bytes::Bytes;

/// The hello worker in ES module syntax.
pub const HELLO_MODULE: &str =
    "export default { fetch() { return new Response('Hello World!'); } };\n";

/// The hello worker in service-worker syntax.
pub const HELLO_SERVICE_WORKER: &str =
    "addEventListener('fetch', (event) => event.respondWith(new Response('Hello World!')));\n";

/// Builds a GET request for `path` on a fixed local origin.
pub fn get(path: &str) -> http::Request<Bytes> {
    http::Request::builder()
        .uri(format!("http://localhost{path}"))
        .body(Bytes::new())
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
