//! Chunks: parts of the runtime's JS, such as streams or crypto.subtle, that an isolate loads on
//! first use rather than at start. Each chunk file is compiled with the core, once per process,
//! into a module whose default export is a function of the core's internals, and the native
//! `host.loadChunk(name)` loads that module into the calling context. The JS side is in
//! `js/chunks.js`, the per-isolate cache of loaded chunks, and `js/lazy-globals.js`.

use rquickjs::function::This;
use rquickjs::{Ctx, Exception, Function, Module, Object, Result, Value};

use super::bootstrap;

/// Function that sets the natives that a chunk's JS calls on the `host` object.
pub(super) type RegisterNatives = for<'js> fn(&Ctx<'js>, &Object<'js>) -> Result<()>;

/// A file of the runtime's JS that an isolate loads on first use.
pub(super) struct Chunk {
    /// The name that `requireChunk` in JS and `host.loadChunk` take.
    pub(super) name: &'static str,
    /// The file under `js/`.
    pub(super) file: &'static str,
    pub(super) source: &'static str,
    /// Exports of the chunk that are globals. The core defines each one as a lazy global, which
    /// loads the chunk on first access.
    pub(super) globals: &'static [&'static str],
    /// Sets the chunk's natives on `host`, just before the chunk loads.
    pub(super) natives: Option<RegisterNatives>,
}

/// Returns the module name of a chunk, which stack traces show with the file's line numbers.
pub(super) fn module_name(chunk: &Chunk) -> String {
    format!("edgecase:{}", chunk.file)
}

/// Returns the module source of a chunk: the file as the body of the default export, a function
/// of `core`. The wrapper opens on the file's first line, so lines keep their numbers.
pub(super) fn module_source(chunk: &Chunk) -> String {
    format!("export default function (core) {{ {}\n}}\n", chunk.source)
}

/// Sets `loadChunk(name)` on `host`. It loads chunk `name` into the calling context, after
/// setting the chunk's natives on `host`, and returns the chunk's default export.
pub(crate) fn register<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    host.set(
        "loadChunk",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, This(host): This<Object<'js>>, name: String| load(&ctx, &host, &name),
        )?,
    )
}

fn load<'js>(ctx: &Ctx<'js>, host: &Object<'js>, name: &str) -> Result<Value<'js>> {
    let Some((index, chunk)) = bootstrap::chunks()
        .enumerate()
        .find(|(_, c)| c.name == name)
    else {
        let message = format!("chunk `{name}` not found in SOURCES of engine/bootstrap.rs");
        return Err(Exception::throw_type(ctx, &message));
    };
    let bytes = bootstrap::chunk_bytecode(index)
        .map_err(|message| Exception::throw_internal(ctx, &message))?;
    if let Some(register_natives) = chunk.natives {
        register_natives(ctx, host)?;
    }

    // SAFETY: the bytes come from `Module::write` in this process, so they match this engine's
    // bytecode version.
    let declared = unsafe { Module::load(ctx.clone(), bytes) }?;
    let (module, promise) = declared.eval()?;
    // The module only declares its default export and has no top-level await, so evaluating it
    // settles the promise at once. `Promise::finish` is not used because it runs pending jobs,
    // which would run the worker's own promise reactions in the middle of its code.
    match promise.result::<()>() {
        Some(Ok(())) => module.get("default"),
        Some(Err(error)) => Err(error),
        None => Err(Exception::throw_internal(
            ctx,
            &format!("chunk `{name}` did not finish evaluating"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use serde_json::Value;

    use super::bootstrap;
    use crate::{Runtime, RuntimeConfig, Syntax, WorkerSpec};

    /// Returns every global that some chunk exports, as a JSON array.
    fn chunk_globals_json() -> String {
        let names: Vec<&str> = bootstrap::chunks()
            .flat_map(|chunk| chunk.globals.iter().copied())
            .collect();
        serde_json::to_string(&names).expect("names serialize")
    }

    fn get(path: &str) -> http::Request<Bytes> {
        http::Request::builder()
            .uri(format!("http://localhost{path}"))
            .body(Bytes::new())
            .expect("valid request")
    }

    /// Starts `script` and returns the JSON body of its response to `GET /`.
    async fn run(script: String, syntax: Syntax) -> Value {
        let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime starts");
        runtime
            .add_worker(WorkerSpec::new("chunks", script).with_syntax(syntax))
            .await
            .expect("worker starts");
        let response = runtime.fetch("chunks", get("/")).await.expect("fetch");
        assert_eq!(response.status(), 200, "the worker failed");
        let body = response.into_body().collect().await;
        serde_json::from_slice(&body).expect("worker returns JSON")
    }

    #[tokio::test]
    async fn lazy_globals_read_as_data_properties() {
        let script = format!(
            r#"const names = {names};
            const before = Object.getOwnPropertyNames(globalThis);
            const wrong = [];
            for (const name of names) {{
                const d = Object.getOwnPropertyDescriptor(globalThis, name);
                const ok = d !== undefined && "value" in d && d.writable && !d.enumerable &&
                    d.configurable && d.value === globalThis[name] && d.value !== undefined;
                if (!ok) wrong.push(name);
            }}
            const after = Object.getOwnPropertyNames(globalThis);
            export default {{
                fetch() {{
                    return Response.json({{ wrong, sameOrder: before.join() === after.join() }});
                }},
            }};"#,
            names = chunk_globals_json()
        );
        let out = run(script, Syntax::Module).await;
        assert_eq!(out["wrong"], serde_json::json!([]));
        assert_eq!(out["sameOrder"], true);
    }

    #[tokio::test]
    async fn descriptors_load_every_lazy_global() {
        let script = format!(
            r#"const all = Object.getOwnPropertyDescriptors(globalThis);
            const accessors = {names}.filter((name) => !("value" in all[name]));
            export default {{ fetch() {{ return Response.json({{ accessors }}); }} }};"#,
            names = chunk_globals_json()
        );
        let out = run(script, Syntax::Module).await;
        assert_eq!(out["accessors"], serde_json::json!([]));
    }

    #[tokio::test]
    async fn lazy_global_assignment_replaces_it() {
        // Sloppy-mode assignment in a service worker, as a polyfill would do it.
        let script = r#"
            ReadableStream = 1;
            delete globalThis.URL;
            addEventListener("fetch", (event) => {
                const d = Object.getOwnPropertyDescriptor(globalThis, "ReadableStream");
                event.respondWith(Response.json({
                    value: d.value,
                    writable: d.writable,
                    enumerable: d.enumerable,
                    urlGone: !("URL" in globalThis),
                    // The runtime's own code keeps using its streams.
                    bodyIsStream: new Response("x").body.constructor.name,
                }));
            });
        "#;
        let out = run(script.to_string(), Syntax::ServiceWorker).await;
        assert_eq!(out["value"], 1);
        assert_eq!(out["writable"], true);
        assert_eq!(out["enumerable"], false);
        assert_eq!(out["urlGone"], true);
        assert_eq!(out["bodyIsStream"], "ReadableStream");
    }

    #[tokio::test]
    async fn redefined_lazy_global_keeps_its_value() {
        let script = r#"
            Object.defineProperty(globalThis, "TransformStream", { value: 7, configurable: true });
            const before = Object.getOwnPropertyDescriptor(globalThis, "TransformStream").value;
            Object.freeze(globalThis);
            export default {
                fetch() {
                    return Response.json({
                        before,
                        after: TransformStream,
                        // A lazy global of a frozen global object still loads its chunk.
                        frozenType: typeof WritableStream,
                    });
                },
            };
        "#;
        let out = run(script.to_string(), Syntax::Module).await;
        assert_eq!(out["before"], 7);
        assert_eq!(out["after"], 7);
        assert_eq!(out["frozenType"], "function");
    }

    #[tokio::test]
    async fn chunk_loads_at_global_scope() {
        // Objects that a chunk makes while it loads belong to no request, so every request may
        // use `crypto.subtle` even though the global scope loaded it.
        let script = r#"
            const types = [typeof ReadableStream, typeof crypto.subtle.digest, typeof URL];
            let first = null;
            export default {
                async fetch() {
                    const digest = await crypto.subtle.digest("SHA-256", new Uint8Array(1));
                    first ??= types;
                    return Response.json({ types: first, digestBytes: digest.byteLength });
                },
            };
        "#;
        let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime starts");
        runtime
            .add_worker(WorkerSpec::new("global", script).with_syntax(Syntax::Module))
            .await
            .expect("worker starts");
        for round in 0..2 {
            let response = runtime.fetch("global", get("/")).await.expect("fetch");
            assert_eq!(response.status(), 200, "request {round} failed");
            let out: Value = serde_json::from_slice(&response.into_body().collect().await)
                .expect("worker returns JSON");
            assert_eq!(
                out["types"],
                serde_json::json!(["function", "function", "function"])
            );
            assert_eq!(out["digestBytes"], 32);
        }
    }

    #[tokio::test]
    async fn chunk_load_runs_no_promise_jobs() {
        let script = r#"
            export default {
                fetch() {
                    const order = [];
                    Promise.resolve().then(() => order.push("job"));
                    order.push(typeof TransformStream);
                    order.push("sync");
                    return new Promise((resolve) => {
                        Promise.resolve().then(() => resolve(Response.json(order)));
                    });
                },
            };
        "#;
        let out = run(script.to_string(), Syntax::Module).await;
        assert_eq!(out, serde_json::json!(["function", "sync", "job"]));
    }

    #[tokio::test]
    async fn patched_promise_then_misses_chunks() {
        // The streams chunk loads after this patch, and its reactions must still use the
        // original `then`, as they did when streams loaded before any user code.
        let script = r#"
            let streamsCalls = 0;
            const then = Promise.prototype.then;
            Promise.prototype.then = function (...args) {
                if (new Error().stack.includes("edgecase:streams.js")) {
                    streamsCalls++;
                }
                return then.apply(this, args);
            };
            export default {
                async fetch() {
                    const text = await new Response(new ReadableStream({
                        start(controller) {
                            controller.enqueue(new TextEncoder().encode("streamed"));
                            controller.close();
                        },
                    })).text();
                    return Response.json({ text, streamsCalls });
                },
            };
        "#;
        let out = run(script.to_string(), Syntax::Module).await;
        assert_eq!(out["text"], "streamed");
        assert_eq!(out["streamsCalls"], 0);
    }

    #[tokio::test]
    async fn chunk_memory_counts_against_the_limit() {
        // The core and a hello response fit in 1 MiB of heap, but not every chunk on top, so
        // loading them all must hit the memory limit like any other allocation.
        let script = format!(
            r#"const names = {names};
            export default {{
                fetch(request) {{
                    if (request.url.endsWith("/all")) {{
                        for (const name of names) globalThis[name];
                    }}
                    return new Response("ok");
                }},
            }};"#,
            names = chunk_globals_json()
        );
        let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime starts");
        let mut spec = WorkerSpec::new("small", script).with_syntax(Syntax::Module);
        spec.limits.memory_mb = 1;
        runtime.add_worker(spec).await.expect("worker starts");

        let hello = runtime.fetch("small", get("/")).await.expect("fetch");
        assert_eq!(hello.status(), 200);
        let all = runtime.fetch("small", get("/all")).await.expect("fetch");
        assert_eq!(all.status(), 503);
        let body = all.into_body().collect().await;
        assert_eq!(&body[..], b"Worker exceeded memory limit.");
    }
}
