//! The bootstrap module: the runtime's own JS (the Web APIs and the dispatch logic), compiled to
//! bytecode once per process so a new isolate never parses it.

use std::sync::OnceLock;

use rquickjs::module::WriteOptions;
use rquickjs::{Context, Ctx, Function, Module, Runtime};

/// Bootstrap files in load order. They share one module scope, so later files use earlier ones.
const SOURCES: &[(&str, &str)] = &[
    ("internal.js", include_str!("js/internal.js")),
    ("events.js", include_str!("js/events.js")),
    ("encoding.js", include_str!("js/encoding.js")),
    ("url.js", include_str!("js/url.js")),
    ("urlpattern.js", include_str!("js/urlpattern.js")),
    ("headers.js", include_str!("js/headers.js")),
    ("blob.js", include_str!("js/blob.js")),
    ("streams.js", include_str!("js/streams.js")),
    ("codecs.js", include_str!("js/codecs.js")),
    ("body.js", include_str!("js/body.js")),
    ("request.js", include_str!("js/request.js")),
    ("response.js", include_str!("js/response.js")),
    ("html-rewriter.js", include_str!("js/html-rewriter.js")),
    ("console.js", include_str!("js/console.js")),
    ("misc.js", include_str!("js/misc.js")),
    ("crypto.js", include_str!("js/crypto.js")),
    ("subtle.js", include_str!("js/subtle.js")),
    ("fetch.js", include_str!("js/fetch.js")),
    ("wasm.js", include_str!("js/wasm.js")),
    ("timers.js", include_str!("js/timers.js")),
    ("dispatch.js", include_str!("js/dispatch.js")),
    ("rejections.js", include_str!("js/rejections.js")),
    ("install.js", include_str!("js/install.js")),
];

const MODULE_NAME: &str = "edgecase:bootstrap";

/// Returns the concatenated bootstrap source, with a marker comment before each file so that
/// stack traces can be mapped back.
fn source() -> String {
    let mut text = String::new();
    for (name, body) in SOURCES {
        text.push_str("// ---- ");
        text.push_str(name);
        text.push('\n');
        text.push_str(body);
        text.push('\n');
    }
    text
}

/// Returns the bootstrap bytecode, compiling it on first use.
pub(crate) fn bytecode() -> Result<&'static [u8], String> {
    static BYTECODE: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
    BYTECODE
        .get_or_init(compile)
        .as_deref()
        .map_err(Clone::clone)
}

fn compile() -> Result<Vec<u8>, String> {
    let runtime =
        Runtime::new().map_err(|e| format!("failed to create a compiler runtime: {e}"))?;
    let context =
        Context::full(&runtime).map_err(|e| format!("failed to create a compiler context: {e}"))?;
    context.with(|ctx| {
        let module = Module::declare(ctx.clone(), MODULE_NAME, source())
            .map_err(|e| format!("bootstrap JS does not compile: {}", describe(&ctx, e)))?;
        module
            .write(WriteOptions::default())
            .map_err(|e| format!("failed to write bootstrap bytecode: {e}"))
    })
}

/// Loads the bootstrap into a context and returns its `install` function.
pub(crate) fn load<'js>(ctx: &Ctx<'js>) -> Result<Function<'js>, String> {
    let bytes = bytecode()?;

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
