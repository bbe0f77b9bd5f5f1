//! One isolate: a QuickJS runtime and context with its own heap, limits and event loop state.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use rquickjs::{Context, Ctx, Function, Module, Object, Persistent, Runtime, TypedArray, Value};

use super::Output;
use super::allocator::{HeapMeter, MeteredAllocator};
use super::bootstrap;
use super::host::{self, HostState, RequestState};
use super::outbound::{FetchOutcome, OutboundFetch};
use crate::config::{RuntimeConfig, Syntax, WorkerSpec};
use crate::pool::IsolateId;
use crate::stats::EvictionReason;

/// Stack the engine may use, measured from where JS is entered. It stays below the thread's
/// real stack, because QuickJS aborts the process otherwise.
const MAX_STACK_SIZE: usize = 4 << 20;

/// CPU-limit overruns after which an isolate is evicted as suspicious. Workers tolerates
/// occasional overruns and terminates an isolate that overruns consistently, but publishes no
/// count, so this one is ours.
const SUSPICIOUS_OVERRUNS: u32 = 3;

/// A started isolate of one worker.
pub(crate) struct Isolate {
    spec: Arc<WorkerSpec>,
    // Field order matters: the hooks and context must drop before the runtime.
    hooks: Persistent<Object<'static>>,
    context: Context,
    runtime: Runtime,
    state: Rc<HostState>,
    meter: Rc<HeapMeter>,
    cpu_overruns: std::cell::Cell<u32>,
    /// Set once the isolate hit its memory limit, after which it serves nothing more.
    dead: std::cell::Cell<bool>,
}

impl Isolate {
    /// Creates the isolate, installs the Web APIs and runs the worker's global scope.
    pub(crate) fn start(
        id: IsolateId,
        spec: Arc<WorkerSpec>,
        _config: &RuntimeConfig,
    ) -> Result<Isolate, String> {
        let started = Instant::now();
        let meter = Rc::new(HeapMeter::default());
        meter
            .limit
            .set((spec.limits.memory_mb as usize).saturating_mul(1 << 20));
        let state = Rc::new(HostState::new(spec.name.clone(), id, meter.clone()));
        let runtime = Runtime::new_with_alloc(MeteredAllocator::new(meter.clone()))
            .map_err(|e| format!("failed to create a JS runtime: {e}"))?;
        runtime.set_max_stack_size(MAX_STACK_SIZE);
        let interrupt_state = state.clone();
        runtime.set_interrupt_handler(Some(Box::new(move || {
            let expired = interrupt_state
                .cpu_deadline
                .get()
                .is_some_and(|deadline| Instant::now() >= deadline);
            if expired {
                interrupt_state.interrupted.set(true);
            }
            expired
        })));
        let tracker_state = state.clone();
        runtime.set_host_promise_rejection_tracker(Some(Box::new(
            move |ctx, promise, reason, handled| {
                let promise = Persistent::save(&ctx, promise);
                let reason = Persistent::save(&ctx, reason);
                tracker_state
                    .rejections
                    .borrow_mut()
                    .push((promise, reason, handled));
            },
        )));
        let context =
            Context::full(&runtime).map_err(|e| format!("failed to create a JS context: {e}"))?;

        let syntax = spec.resolved_syntax();
        bootstrap::precompile()?;
        state
            .cpu_deadline
            .set(Some(Instant::now() + spec.limits.startup_cpu()));
        let hooks = context.with(|ctx| -> Result<_, String> {
            let hooks = install(&ctx, &state, &spec, syntax)?;
            let run = match syntax {
                Syntax::Module => run_module(&ctx, &hooks, &spec.script),
                Syntax::ServiceWorker => ctx
                    .eval::<(), _>(spec.script.as_str())
                    .map_err(|e| bootstrap::describe(&ctx, e)),
            };
            run.map_err(|message| startup_error(&state, &meter, message))?;
            Ok(Persistent::save(&ctx, hooks))
        });
        let hooks = match hooks {
            Ok(hooks) => hooks,
            Err(message) => {
                // Persistent values must go before the runtime that owns them.
                state.rejections.borrow_mut().clear();
                return Err(message);
            }
        };

        let isolate = Isolate {
            spec,
            hooks,
            context,
            runtime,
            state,
            meter,
            cpu_overruns: std::cell::Cell::new(0),
            dead: std::cell::Cell::new(false),
        };
        isolate.run_jobs();
        isolate.report_rejections();
        isolate.state.cpu_deadline.set(None);
        if isolate.state.interrupted.get() || isolate.meter.exceeded.get() {
            return Err(startup_error(&isolate.state, &isolate.meter, String::new()));
        }
        tracing::debug!(worker = %isolate.spec.name, isolate = %id, %syntax, elapsed_us = started.elapsed().as_micros() as u64, "isolate started");
        Ok(isolate)
    }

    /// Number of request contexts that have not ended, `waitUntil` tasks included.
    pub(crate) fn in_flight(&self) -> usize {
        self.state.requests.borrow().len()
    }

    /// Returns the next instant at which a timer fires or a `waitUntil` drain runs out.
    pub(crate) fn next_deadline(&self, drain_limit: std::time::Duration) -> Option<Instant> {
        let timer = self.state.next_deadline();
        let drain = self.state.next_drain_deadline(drain_limit);
        timer.into_iter().chain(drain).min()
    }

    /// Cancels `waitUntil` tasks that outlived the drain limit.
    pub(crate) fn expire_wait_until(&mut self, now: Instant, drain_limit: std::time::Duration) {
        self.state.expire_wait_until(now, drain_limit);
        self.forget_dropped_timers();
    }

    pub(crate) fn take_outputs(&mut self) -> Vec<Output> {
        std::mem::take(&mut *self.state.outputs.borrow_mut())
    }

    /// Bytes in use by this isolate's heap.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.meter.used.get()
    }

    /// Starts a request: builds the JS Request and calls the handler.
    pub(crate) fn dispatch(&mut self, request_id: u64, request: http::Request<Bytes>) {
        self.state
            .requests
            .borrow_mut()
            .insert(request_id, RequestState::default());
        if self.dead.get() {
            self.state
                .respond(request_id, memory_limit_response(), true);
            return;
        }
        self.state.hang_candidates.borrow_mut().push(request_id);

        let (parts, body) = request.into_parts();
        self.run_in(request_id, Uncaught::FailRequest, |ctx, hooks| {
            let dispatch: Function = hooks.get("dispatchFetch")?;
            let mut headers = Vec::with_capacity(parts.headers.len() * 2);
            for (name, value) in &parts.headers {
                headers.push(name.as_str().to_string());
                headers.push(
                    value
                        .as_bytes()
                        .iter()
                        .map(|&b| char::from(b))
                        .collect::<String>(),
                );
            }
            let body = if body.is_empty()
                && matches!(parts.method, http::Method::GET | http::Method::HEAD)
            {
                Value::new_null(ctx.clone())
            } else {
                TypedArray::<u8>::new(ctx.clone(), body.to_vec())?.into_value()
            };
            dispatch.call::<_, ()>((
                request_id as f64,
                parts.method.as_str(),
                parts.uri.to_string(),
                headers,
                body,
            ))
        });
    }

    /// Cancels the worker's stream after its client went away.
    pub(crate) fn cancel_stream(&mut self, request_id: u64) {
        if !self.state.close_stream(request_id) {
            return;
        }
        self.run_in(request_id, Uncaught::Log("stream cancel"), |_, hooks| {
            let cancel: Function = hooks.get("cancelStream")?;
            cancel.call::<_, ()>((request_id as f64,))
        });
        self.state.finish_if_done(request_id);
    }

    /// Takes the subrequests that JS started since the last call.
    pub(crate) fn take_outbound(&mut self) -> Vec<OutboundFetch> {
        std::mem::take(&mut *self.state.outbound.borrow_mut())
    }

    /// Delivers the outcome of a subrequest to the fetch() that waits for it.
    pub(crate) fn complete_fetch(&mut self, id: u64, outcome: FetchOutcome) {
        let Some(owner) = self.state.finish_fetch(id) else {
            return;
        };
        self.run_in(
            owner,
            Uncaught::Log("fetch completion"),
            |ctx, hooks| match outcome {
                FetchOutcome::Response {
                    status,
                    status_text,
                    headers,
                    body,
                    url_list,
                } => {
                    let complete: Function = hooks.get("completeFetch")?;
                    let flat: Vec<String> = headers.into_iter().flat_map(|(n, v)| [n, v]).collect();
                    let bytes = TypedArray::<u8>::new(ctx.clone(), body.to_vec())?;
                    complete.call::<_, ()>((id as f64, status, status_text, flat, bytes, url_list))
                }
                FetchOutcome::Failed(message) => {
                    let fail: Function = hooks.get("failFetch")?;
                    fail.call::<_, ()>((id as f64, message))
                }
            },
        );
    }

    /// Fires every timer whose deadline has passed, each in its owner's request context.
    pub(crate) fn run_due_timers(&mut self, now: Instant) {
        for (timer, owner) in self.state.take_due_timers(now) {
            self.run_in(owner, Uncaught::Log("timer callback"), |_, hooks| {
                let fire: Function = hooks.get("fireTimer")?;
                fire.call::<_, ()>((timer as f64,))
            });
            self.state.hang_candidates.borrow_mut().push(owner);
        }
        self.state.cancel_hung_requests();
    }

    /// Runs `work` as request `owner`, then drains the job queue and checks for hangs.
    fn run_in<F>(&self, owner: u64, uncaught: Uncaught, work: F)
    where
        F: for<'js> FnOnce(&Ctx<'js>, &Object<'js>) -> rquickjs::Result<()>,
    {
        let started = Instant::now();
        let budget = self.cpu_budget(owner);
        self.state.enter(owner);
        self.state.interrupted.set(false);
        self.state.cpu_deadline.set(Some(started + budget));

        self.context.with(|ctx| {
            let result = self
                .hooks
                .clone()
                .restore(&ctx)
                .and_then(|hooks| work(&ctx, &hooks));
            if let Err(error) = result {
                let message = bootstrap::describe(&ctx, error);
                if self.state.interrupted.get() {
                    // The CPU limit handles the request below.
                } else if let Uncaught::Log(source) = uncaught {
                    tracing::warn!(worker = %self.spec.name, isolate = %self.state.isolate, request_id = owner, error = %message, "uncaught exception in {source}");
                } else {
                    self.state.fail(owner, &message);
                }
            }
        });
        self.run_jobs();
        self.report_rejections();

        self.state.cpu_deadline.set(None);
        self.charge_cpu(owner, started.elapsed());
        if self.meter.exceeded.get() && !self.dead.get() {
            self.exceed_memory_limit();
        } else if self.state.interrupted.get() {
            self.exceed_cpu_limit(owner);
        }
        self.forget_dropped_timers();
        self.state.enter(0);
        self.state.cancel_hung_requests();
    }

    fn cpu_budget(&self, owner: u64) -> std::time::Duration {
        let used = self
            .state
            .requests
            .borrow()
            .get(&owner)
            .map(|r| r.cpu_used)
            .unwrap_or_default();
        self.spec.limits.cpu().saturating_sub(used)
    }

    fn charge_cpu(&self, owner: u64, elapsed: std::time::Duration) {
        if let Some(state) = self.state.requests.borrow_mut().get_mut(&owner) {
            state.cpu_used += elapsed;
        }
    }

    fn exceed_cpu_limit(&self, owner: u64) {
        tracing::warn!(worker = %self.spec.name, isolate = %self.state.isolate, request_id = owner, limit_ms = self.spec.limits.cpu_ms, "Worker exceeded CPU time limit.");
        let body = Bytes::from_static(b"Worker exceeded CPU time limit.");
        self.state.respond(
            owner,
            super::status_response(http::StatusCode::SERVICE_UNAVAILABLE, body),
            true,
        );
        self.state.interrupted.set(false);

        let overruns = self.cpu_overruns.get() + 1;
        self.cpu_overruns.set(overruns);
        if overruns == SUSPICIOUS_OVERRUNS {
            self.state.outputs.borrow_mut().push(Output::Evict {
                reason: EvictionReason::Suspicious,
            });
        }
    }

    /// Fails every request of this isolate with 503 and asks for its eviction, as Workers does
    /// when an isolate exceeds its memory limit.
    fn exceed_memory_limit(&self) {
        tracing::warn!(worker = %self.spec.name, isolate = %self.state.isolate, limit_mb = self.spec.limits.memory_mb, heap_bytes = self.meter.used.get(), "Worker exceeded memory limit.");
        self.dead.set(true);
        let in_flight: Vec<u64> = self.state.requests.borrow().keys().copied().collect();
        for request in in_flight {
            self.state.respond(request, memory_limit_response(), true);
            if let Some(state) = self.state.requests.borrow_mut().get_mut(&request) {
                state.wait_until = 0;
            }
            self.state.finish_if_done(request);
        }
        self.state.outputs.borrow_mut().push(Output::Evict {
            reason: EvictionReason::MemoryLimit,
        });
    }

    /// Runs promise jobs until the queue is empty or the CPU deadline interrupts one.
    fn run_jobs(&self) {
        loop {
            match self.runtime.execute_pending_job() {
                Ok(true) => continue,
                Ok(false) => break,
                Err(error) => {
                    if self.state.interrupted.get() {
                        break;
                    }
                    let message = error
                        .0
                        .with(|ctx| bootstrap::describe(&ctx, rquickjs::Error::Exception));
                    tracing::warn!(worker = %self.spec.name, isolate = %self.state.isolate, error = %message, "uncaught exception in a promise job");
                }
            }
        }
    }

    /// Hands the tracker's records to JS, which fires `unhandledrejection` for what is left.
    fn report_rejections(&self) {
        let records: Vec<_> = self.state.rejections.borrow_mut().drain(..).collect();
        if records.is_empty() || self.state.interrupted.get() {
            return;
        }
        self.context.with(|ctx| {
            let result = (|| -> rquickjs::Result<()> {
                let list = rquickjs::Array::new(ctx.clone())?;
                let mut index = 0;
                for (promise, reason, handled) in records {
                    list.set(index, promise.restore(&ctx)?)?;
                    list.set(index + 1, reason.restore(&ctx)?)?;
                    list.set(index + 2, handled)?;
                    index += 3;
                }
                let hooks = self.hooks.clone().restore(&ctx)?;
                let report: Function = hooks.get("reportRejections")?;
                report.call::<_, ()>((list,))
            })();
            if let Err(error) = result {
                let message = bootstrap::describe(&ctx, error);
                tracing::warn!(worker = %self.spec.name, isolate = %self.state.isolate, error = %message, "uncaught exception in an unhandledrejection listener");
            }
        });
        self.run_jobs();
    }

    fn forget_dropped_timers(&self) {
        let dropped: Vec<u64> = self.state.dropped_timers.borrow_mut().drain(..).collect();
        if dropped.is_empty() {
            return;
        }
        self.context.with(|ctx| {
            let result = self.hooks.clone().restore(&ctx).and_then(|hooks| {
                let drop_timers: Function = hooks.get("dropTimers")?;
                let ids: Vec<f64> = dropped.iter().map(|&id| id as f64).collect();
                drop_timers.call::<_, ()>((ids,))
            });
            if let Err(error) = result {
                let message = bootstrap::describe(&ctx, error);
                tracing::warn!(worker = %self.spec.name, error = %message, "failed to forget cancelled timers");
            }
        });
    }
}

impl Drop for Isolate {
    fn drop(&mut self) {
        // Persistent values must go before the runtime that owns them.
        self.state.rejections.borrow_mut().clear();
    }
}

/// What an exception that escapes a call into JS means.
#[derive(Clone, Copy)]
enum Uncaught {
    /// The request fails with a 500, as when its handler throws.
    FailRequest,
    /// The exception is logged and the request goes on, as for a throwing timer callback.
    Log(&'static str),
}

/// Loads the bootstrap, registers the natives and calls `install`; returns the hooks.
fn install<'js>(
    ctx: &Ctx<'js>,
    state: &Rc<HostState>,
    spec: &WorkerSpec,
    syntax: Syntax,
) -> Result<Object<'js>, String> {
    let install = bootstrap::load(ctx)?;
    let setup = || -> rquickjs::Result<Object<'js>> {
        let host = Object::new(ctx.clone())?;
        host::register(ctx, &host, state)?;
        super::crypto::register(ctx, &host)?;
        super::outbound::register(ctx, &host, state, spec.limits.subrequests)?;
        super::natives::register_web(ctx, &host)?;
        super::chunks::register(ctx, &host)?;
        let config = Object::new(ctx.clone())?;
        config.set("syntax", syntax.as_str())?;
        let bindings = Object::new(ctx.clone())?;
        for (name, value) in &spec.bindings {
            bindings.set(name.as_str(), value.as_str())?;
        }
        config.set("bindings", bindings)?;
        install.call((host, config))
    };
    setup().map_err(|e| {
        format!(
            "failed to install the Web APIs: {}",
            bootstrap::describe(ctx, e)
        )
    })
}

/// Evaluates the worker as an ES module and hands its default export to the dispatcher.
fn run_module<'js>(ctx: &Ctx<'js>, hooks: &Object<'js>, script: &str) -> Result<(), String> {
    let run = || -> rquickjs::Result<()> {
        let declared = Module::declare(ctx.clone(), "worker.js", script)?;
        let (module, promise) = declared.eval()?;
        promise.finish::<()>()?;
        let handler: Value = module
            .get("default")
            .unwrap_or_else(|_| Value::new_undefined(ctx.clone()));
        let set_handler: Function = hooks.get("setModuleHandler")?;
        set_handler.call((handler,))
    };
    run().map_err(|e| bootstrap::describe(ctx, e))
}

fn startup_error(state: &HostState, meter: &HeapMeter, message: String) -> String {
    if meter.exceeded.get() {
        "Script startup exceeded memory limits.".to_string()
    } else if state.interrupted.get() {
        "Script startup exceeded CPU time limit.".to_string()
    } else {
        message
    }
}

fn memory_limit_response() -> http::Response<crate::body::Body> {
    let body = Bytes::from_static(b"Worker exceeded memory limit.");
    super::status_response(http::StatusCode::SERVICE_UNAVAILABLE, body)
}
