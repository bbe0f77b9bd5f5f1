//! The bootstrap: the runtime's own JS (the Web APIs and the dispatch logic), compiled to bytecode
//! once per process so a new isolate never parses it. A new isolate loads only the core module,
//! what a worker needs to start and to serve a request. Each chunk, such as streams or
//! crypto.subtle, is a module of its own that `chunks.rs` loads on first use.

use std::sync::OnceLock;

use rquickjs::module::WriteOptions;
use rquickjs::{Context, Ctx, Function, Module, Runtime};

use super::chunks::{self, Chunk};
use super::natives;

/// One file of the runtime's JS.
enum Source {
    /// A file of the core module: `(file name, text)`.
    Core(&'static str, &'static str),
    /// The file of a chunk.
    Chunk(Chunk),
}

/// Bootstrap files in load order. The core files share one module scope, so later files use
/// earlier ones. A chunk's place in the list is where the core defines its lazy globals, so the
/// global object lists every global in this order whether or not its chunk is loaded.
const SOURCES: &[Source] = &[
    Source::Core("internal.js", include_str!("js/internal.js")),
    Source::Core("chunks.js", include_str!("js/chunks.js")),
    Source::Core("shared.js", include_str!("js/shared.js")),
    Source::Chunk(Chunk {
        name: "dom-exception",
        file: "dom-exception.js",
        source: include_str!("js/dom-exception.js"),
        globals: &["DOMException"],
        natives: None,
    }),
    Source::Chunk(Chunk {
        name: "events",
        file: "events.js",
        source: include_str!("js/events.js"),
        globals: &["Event", "CustomEvent", "ErrorEvent", "EventTarget"],
        natives: None,
    }),
    Source::Chunk(Chunk {
        name: "abort",
        file: "abort.js",
        source: include_str!("js/abort.js"),
        globals: &["AbortSignal", "AbortController"],
        natives: None,
    }),
    Source::Chunk(Chunk {
        name: "encoding",
        file: "encoding.js",
        source: include_str!("js/encoding.js"),
        globals: &["TextEncoder", "TextDecoder", "atob", "btoa"],
        natives: None,
    }),
    Source::Chunk(Chunk {
        name: "url",
        file: "url.js",
        source: include_str!("js/url.js"),
        globals: &["URL", "URLSearchParams"],
        natives: Some(natives::register_url),
    }),
    Source::Chunk(Chunk {
        name: "urlpattern",
        file: "urlpattern.js",
        source: include_str!("js/urlpattern.js"),
        globals: &["URLPattern"],
        natives: Some(natives::register_urlpattern),
    }),
    Source::Core("headers.js", include_str!("js/headers.js")),
    Source::Chunk(Chunk {
        name: "blob",
        file: "blob.js",
        source: include_str!("js/blob.js"),
        globals: &["Blob", "File", "FormData"],
        natives: None,
    }),
    Source::Chunk(Chunk {
        name: "streams",
        file: "streams.js",
        source: include_str!("js/streams.js"),
        globals: &[
            "ReadableStream",
            "ReadableStreamDefaultReader",
            "ReadableStreamBYOBReader",
            "ReadableStreamDefaultController",
            "ReadableByteStreamController",
            "ReadableStreamBYOBRequest",
            "WritableStream",
            "WritableStreamDefaultWriter",
            "WritableStreamDefaultController",
            "TransformStream",
            "TransformStreamDefaultController",
            "ByteLengthQueuingStrategy",
            "CountQueuingStrategy",
        ],
        natives: None,
    }),
    Source::Chunk(Chunk {
        name: "codecs",
        file: "codecs.js",
        source: include_str!("js/codecs.js"),
        globals: &[
            "TextEncoderStream",
            "TextDecoderStream",
            "CompressionStream",
            "DecompressionStream",
        ],
        natives: Some(natives::register_compression),
    }),
    Source::Core("body.js", include_str!("js/body.js")),
    Source::Core("request.js", include_str!("js/request.js")),
    Source::Core("response.js", include_str!("js/response.js")),
    Source::Chunk(Chunk {
        name: "html-rewriter",
        file: "html-rewriter.js",
        source: include_str!("js/html-rewriter.js"),
        globals: &["HTMLRewriter"],
        natives: Some(natives::register_html_rewriter),
    }),
    Source::Chunk(Chunk {
        name: "console",
        file: "console.js",
        source: include_str!("js/console.js"),
        globals: &["console"],
        natives: None,
    }),
    Source::Chunk(Chunk {
        name: "structured-clone",
        file: "structured-clone.js",
        source: include_str!("js/structured-clone.js"),
        globals: &["structuredClone"],
        natives: None,
    }),
    Source::Core("misc.js", include_str!("js/misc.js")),
    Source::Chunk(Chunk {
        name: "crypto",
        file: "crypto.js",
        source: include_str!("js/crypto.js"),
        globals: &["Crypto", "crypto"],
        natives: None,
    }),
    Source::Chunk(Chunk {
        name: "subtle",
        file: "subtle.js",
        source: include_str!("js/subtle.js"),
        globals: &["SubtleCrypto", "CryptoKey"],
        natives: Some(natives::register_subtle),
    }),
    Source::Chunk(Chunk {
        name: "fetch",
        file: "fetch.js",
        source: include_str!("js/fetch.js"),
        globals: &["fetch"],
        natives: None,
    }),
    Source::Chunk(Chunk {
        name: "wasm",
        file: "wasm.js",
        source: include_str!("js/wasm.js"),
        globals: &["WebAssembly"],
        natives: None,
    }),
    Source::Chunk(Chunk {
        name: "timers",
        file: "timers.js",
        source: include_str!("js/timers.js"),
        globals: &["setTimeout", "setInterval", "clearTimeout", "clearInterval"],
        natives: None,
    }),
    Source::Chunk(Chunk {
        name: "service-worker",
        file: "service-worker.js",
        source: include_str!("js/service-worker.js"),
        globals: &["FetchEvent"],
        natives: None,
    }),
    Source::Core("dispatch.js", include_str!("js/dispatch.js")),
    Source::Chunk(Chunk {
        name: "rejections",
        file: "rejections.js",
        source: include_str!("js/rejections.js"),
        globals: &["PromiseRejectionEvent"],
        natives: None,
    }),
    Source::Core("lazy-globals.js", include_str!("js/lazy-globals.js")),
    Source::Core("install.js", include_str!("js/install.js")),
];

const MODULE_NAME: &str = "edgecase:bootstrap";

/// Returns the options for the runtime's own bytecode. Without the source text, each function
/// takes less memory and loads faster, and `toString()` of a runtime function reads
/// `[native code]`, as it does for workerd's built-ins. Line numbers stay, so stack traces still
/// point into the files.
fn write_options() -> WriteOptions {
    WriteOptions {
        strip_source: true,
        ..WriteOptions::default()
    }
}

/// Returns the chunks, in load order.
pub(super) fn chunks() -> impl Iterator<Item = &'static Chunk> {
    SOURCES.iter().filter_map(|source| match source {
        Source::Chunk(chunk) => Some(chunk),
        Source::Core(..) => None,
    })
}

/// Returns the core module's source: the core files with a marker comment before each, so that
/// stack traces can be mapped back, and for each chunk the call that queues its lazy globals.
fn core_source() -> String {
    let mut text = String::new();
    for source in SOURCES {
        match source {
            Source::Core(name, body) => {
                text.push_str("// ---- ");
                text.push_str(name);
                text.push('\n');
                text.push_str(body);
                text.push('\n');
            }
            Source::Chunk(chunk) => {
                let globals: Vec<String> = chunk.globals.iter().map(|g| format!("{g:?}")).collect();
                text.push_str(&format!(
                    "// ---- chunk {}\ndefineLazyGlobals({:?}, [{}]);\n",
                    chunk.name,
                    chunk.name,
                    globals.join(", ")
                ));
            }
        }
    }
    text
}

/// Bytecode of the core module and of each chunk, in the order of `chunks()`.
struct Bytecode {
    core: Vec<u8>,
    chunks: Vec<Vec<u8>>,
}

/// Returns the bytecode of the core and of every chunk, compiling all of them on first use.
/// Compiling the chunks with the core, when the first isolate starts, reports a chunk that does
/// not compile at once and keeps parsing out of the CPU time of the first request that loads it.
/// Compiles the bootstrap now unless it already is, so the one-time cost is not charged to the
/// startup CPU limit of the first isolate.
pub(crate) fn precompile() -> Result<(), String> {
    bytecode().map(|_| ())
}

fn bytecode() -> Result<&'static Bytecode, String> {
    static BYTECODE: OnceLock<Result<Bytecode, String>> = OnceLock::new();
    BYTECODE
        .get_or_init(compile_all)
        .as_ref()
        .map_err(Clone::clone)
}

/// Returns the bytecode of the chunk at `index` in `chunks()`.
pub(super) fn chunk_bytecode(index: usize) -> Result<&'static [u8], String> {
    let bytecode = bytecode()?;
    bytecode
        .chunks
        .get(index)
        .map(Vec::as_slice)
        .ok_or_else(|| format!("no bytecode for chunk {index}"))
}

fn compile_all() -> Result<Bytecode, String> {
    let runtime =
        Runtime::new().map_err(|e| format!("failed to create a compiler runtime: {e}"))?;
    let context =
        Context::full(&runtime).map_err(|e| format!("failed to create a compiler context: {e}"))?;
    context.with(|ctx| {
        let core = compile(&ctx, MODULE_NAME, core_source())?;
        let chunks = chunks()
            .map(|chunk| {
                compile(
                    &ctx,
                    &chunks::module_name(chunk),
                    chunks::module_source(chunk),
                )
            })
            .collect::<Result<_, _>>()?;
        Ok(Bytecode { core, chunks })
    })
}

/// Compiles `source` as the ES module `name` and returns its bytecode.
fn compile(ctx: &Ctx<'_>, name: &str, source: String) -> Result<Vec<u8>, String> {
    let module = Module::declare(ctx.clone(), name, source)
        .map_err(|e| format!("{name} does not compile: {}", describe(ctx, e)))?;
    module
        .write(write_options())
        .map_err(|e| format!("failed to write the bytecode of {name}: {e}"))
}

/// Loads the core module into a context and returns its `install` function.
pub(crate) fn load<'js>(ctx: &Ctx<'js>) -> Result<Function<'js>, String> {
    let bytes = &bytecode()?.core;

    // SAFETY: the bytes come from `Module::write` in this process, so they match this engine's
    // bytecode version.
    let declared = unsafe { Module::load(ctx.clone(), bytes) }
        .map_err(|e| format!("failed to load bootstrap bytecode: {}", describe(ctx, e)))?;
    let (module, promise) = declared
        .eval()
        .map_err(|e| format!("bootstrap failed: {}", describe(ctx, e)))?;
    promise
        .finish::<()>()
        .map_err(|e| format!("bootstrap failed: {}", describe(ctx, e)))?;
    module
        .get("install")
        .map_err(|e| format!("bootstrap has no install function: {}", describe(ctx, e)))
}

/// Turns an engine error into text, taking the pending JS exception when there is one.
pub(crate) fn describe(ctx: &Ctx<'_>, error: rquickjs::Error) -> String {
    if !matches!(error, rquickjs::Error::Exception) {
        return error.to_string();
    }
    let value = ctx.catch();
    if let Some(exception) = value.as_exception() {
        let message = exception.message().unwrap_or_default();
        let name: String = exception.get("name").unwrap_or_else(|_| "Error".into());
        let stack = exception.stack().unwrap_or_default();
        return format!("{name}: {message}\n{stack}").trim_end().to_string();
    }
    match value.as_string().map(|s| s.to_string()) {
        Some(Ok(text)) => format!("Uncaught {text}"),
        _ => format!("Uncaught {value:?}"),
    }
}
