//! Per-isolate host state and the native functions the bootstrap calls: the clock, timers,
//! request contexts and the hand-off of responses.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use rquickjs::{Ctx, Exception, Function, Object, Persistent, TypedArray, Value};

use super::allocator::HeapMeter;
use super::outbound::OutboundFetch;
use super::{Output, internal_error_response, status_response};
use crate::body::{Body, StreamError};

/// A rejected promise, its reason, and whether it was handled, as the rejection tracker saw it.
pub(crate) type RejectionRecord = (Persistent<Value<'static>>, Persistent<Value<'static>>, bool);

/// Sending half of a streamed response body.
pub(crate) type StreamSender = tokio::sync::mpsc::UnboundedSender<Result<Bytes, StreamError>>;
use crate::pool::IsolateId;

/// A request that has been dispatched and whose context has not ended.
#[derive(Debug, Default)]
pub(crate) struct RequestState {
    pub responded: bool,
    pub timers: u32,
    pub wait_until: u32,
    pub pending_io: u32,
    pub pass_through: bool,
    pub cpu_used: Duration,
    /// When the response went out; `waitUntil` tasks may run until this plus the drain limit.
    pub responded_at: Option<Instant>,
    /// Outbound `fetch()` calls made so far, counted against the subrequest limit.
    pub subrequests: u32,
}

#[derive(Debug)]
struct TimerEntry {
    deadline: Instant,
    owner: u64,
    interval: Option<Duration>,
}

/// Timers of one isolate, ordered by deadline then id so equal deadlines fire in creation order.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    queue: BTreeSet<(Instant, u64)>,
    entries: HashMap<u64, TimerEntry>,
}

/// State shared between an isolate and its native functions.
pub(crate) struct HostState {
    pub worker: String,
    pub isolate: IsolateId,
    /// Request whose code runs now; 0 while the global scope runs.
    ///
    /// NOTE: this is the request of the event being processed (its dispatch or its timer), and
    /// promise jobs drained after that event inherit it. QuickJS-NG 0.16 calls no promise hook
    /// around reaction jobs, so a continuation of request A that another request's event
    /// resolves runs as that other request, unlike workerd, which restores A's context.
    pub current: Cell<u64>,
    /// Milliseconds since the epoch, frozen while JS runs; 0 at global scope.
    pub clock_ms: Cell<f64>,
    pub requests: RefCell<HashMap<u64, RequestState>>,
    pub timers: RefCell<Timers>,
    pub outputs: RefCell<Vec<Output>>,
    /// Requests whose pending work dropped, to check for a hang once the job queue is empty.
    pub hang_candidates: RefCell<Vec<u64>>,
    /// Timer ids whose JS callbacks must be forgotten because their request ended.
    pub dropped_timers: RefCell<Vec<u64>>,
    /// Deadline that the interrupt handler enforces while JS runs.
    pub cpu_deadline: Cell<Option<Instant>>,
    /// Set by the interrupt handler when it stops a script.
    pub interrupted: Cell<bool>,
    /// Heap use of the isolate; once it refused an allocation, the isolate fails as a whole.
    pub meter: Rc<HeapMeter>,
    /// Subrequests started by JS and not yet handed to the I/O runtime.
    pub outbound: RefCell<Vec<OutboundFetch>>,
    /// Request that owns each subrequest in flight, by fetch id.
    pub fetch_owners: RefCell<HashMap<u64, u64>>,
    /// Senders of streamed response bodies, by request.
    pub streams: RefCell<HashMap<u64, StreamSender>>,
    /// What the rejection tracker saw since the last report.
    pub rejections: RefCell<Vec<RejectionRecord>>,
}

impl HostState {
    pub(crate) fn new(worker: String, isolate: IsolateId, meter: Rc<HeapMeter>) -> Self {
        HostState {
            worker,
            isolate,
            current: Cell::new(0),
            clock_ms: Cell::new(0.0),
            requests: RefCell::new(HashMap::new()),
            timers: RefCell::new(Timers::default()),
            outputs: RefCell::new(Vec::new()),
            hang_candidates: RefCell::new(Vec::new()),
            dropped_timers: RefCell::new(Vec::new()),
            cpu_deadline: Cell::new(None),
            interrupted: Cell::new(false),
            meter,
            outbound: RefCell::new(Vec::new()),
            fetch_owners: RefCell::new(HashMap::new()),
            rejections: RefCell::new(Vec::new()),
            streams: RefCell::new(HashMap::new()),
        }
    }

    /// Makes `request` current and advances the frozen clock, as Workers does on each I/O event.
    pub(crate) fn enter(&self, request: u64) {
        self.current.set(request);
        let now = if request == 0 {
            0.0
        } else {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_millis() as f64)
        };
        self.clock_ms.set(now);
    }

    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.timers
            .borrow()
            .queue
            .first()
            .map(|(deadline, _)| *deadline)
    }

    /// Removes and returns the due timers as `(id, owner)`, rescheduling intervals.
    pub(crate) fn take_due_timers(&self, now: Instant) -> Vec<(u64, u64)> {
        let mut timers = self.timers.borrow_mut();
        let mut due = Vec::new();
        while let Some(&(deadline, id)) = timers.queue.first() {
            if deadline > now {
                break;
            }
            timers.queue.pop_first();
            let Some(entry) = timers.entries.get_mut(&id) else {
                continue;
            };
            due.push((id, entry.owner));
            match entry.interval {
                Some(every) => {
                    entry.deadline = now + every;
                    let next = (entry.deadline, id);
                    timers.queue.insert(next);
                }
                None => {
                    timers.entries.remove(&id);
                }
            }
        }
        drop(timers);

        let mut requests = self.requests.borrow_mut();
        for &(id, owner) in &due {
            let still_scheduled = self.timers.borrow().entries.contains_key(&id);
            if !still_scheduled && let Some(state) = requests.get_mut(&owner) {
                state.timers = state.timers.saturating_sub(1);
            }
        }
        due
    }

    fn start_timer(&self, id: u64, delay_ms: f64, repeat: bool) {
        let owner = self.current.get();
        let delay = Duration::from_secs_f64(delay_ms.max(0.0) / 1000.0);
        let deadline = Instant::now() + delay;
        let mut timers = self.timers.borrow_mut();
        timers.queue.insert((deadline, id));
        timers.entries.insert(
            id,
            TimerEntry {
                deadline,
                owner,
                interval: repeat.then_some(delay.max(Duration::from_millis(1))),
            },
        );
        if let Some(state) = self.requests.borrow_mut().get_mut(&owner) {
            state.timers += 1;
        }
    }

    fn cancel_timer(&self, id: u64) {
        let removed = {
            let mut timers = self.timers.borrow_mut();
            let removed = timers.entries.remove(&id);
            if let Some(entry) = &removed {
                timers.queue.remove(&(entry.deadline, id));
            }
            removed
        };
        if let Some(entry) = removed {
            if let Some(state) = self.requests.borrow_mut().get_mut(&entry.owner) {
                state.timers = state.timers.saturating_sub(1);
            }
            self.hang_candidates.borrow_mut().push(entry.owner);
        }
    }

    /// Queues a subrequest of `owner`, or returns the error that `fetch()` throws.
    pub(crate) fn start_fetch(
        &self,
        owner: u64,
        limit: u32,
        fetch: OutboundFetch,
    ) -> Result<(), String> {
        {
            let mut requests = self.requests.borrow_mut();
            let Some(state) = requests.get_mut(&owner) else {
                return Err("fetch() was called after its request ended".into());
            };
            if state.subrequests >= limit {
                return Err("Too many subrequests.".into());
            }
            state.subrequests += 1;
            state.pending_io += 1;
        }
        self.fetch_owners.borrow_mut().insert(fetch.id, owner);
        self.outbound.borrow_mut().push(fetch);
        Ok(())
    }

    /// Forgets a subrequest whose signal aborted; its result, if one comes, is dropped.
    pub(crate) fn cancel_fetch(&self, id: u64) {
        self.finish_fetch(id);
    }

    /// Ends the bookkeeping of a subrequest and returns its owner if it was still in flight.
    pub(crate) fn finish_fetch(&self, id: u64) -> Option<u64> {
        let owner = self.fetch_owners.borrow_mut().remove(&id)?;
        if let Some(state) = self.requests.borrow_mut().get_mut(&owner) {
            state.pending_io = state.pending_io.saturating_sub(1);
        }
        self.hang_candidates.borrow_mut().push(owner);
        Some(owner)
    }

    /// Sends the head of a streamed response; the body follows through `stream_chunk`.
    fn respond_stream(&self, request: u64, mut response: http::Response<Body>) {
        let (sender, body) = Body::channel();
        *response.body_mut() = body;
        let open = match self.requests.borrow_mut().get_mut(&request) {
            // The stream keeps the request context alive, as a waitUntil task would.
            Some(state) if !state.responded => {
                state.wait_until += 1;
                true
            }
            _ => false,
        };
        if open {
            self.streams.borrow_mut().insert(request, sender);
            self.respond(request, response, false);
        }
    }

    /// Queues one chunk of a streamed body; returns false once the client has gone away.
    fn stream_chunk(&self, request: u64, chunk: Bytes) -> bool {
        let streams = self.streams.borrow();
        let Some(sender) = streams.get(&request) else {
            return false;
        };
        sender.send(Ok(chunk)).is_ok()
    }

    /// Ends a streamed body, aborting it when the worker's stream failed.
    fn stream_end(&self, request: u64, error: Option<String>) {
        let Some(sender) = self.streams.borrow_mut().remove(&request) else {
            return;
        };
        if let Some(message) = error {
            tracing::warn!(worker = %self.worker, isolate = %self.isolate, request_id = request, error = %message, "response stream failed, aborting the response");
            let _ = sender.send(Err(StreamError(message)));
        }
        drop(sender);
        if let Some(state) = self.requests.borrow_mut().get_mut(&request) {
            state.wait_until = state.wait_until.saturating_sub(1);
        }
        self.hang_candidates.borrow_mut().push(request);
        self.finish_if_done(request);
    }

    /// Forgets the stream of a client that went away and returns true if it was still open.
    pub(crate) fn close_stream(&self, request: u64) -> bool {
        let removed = self.streams.borrow_mut().remove(&request).is_some();
        if removed {
            tracing::debug!(worker = %self.worker, request_id = request, "client disconnected during a streamed response");
            if let Some(state) = self.requests.borrow_mut().get_mut(&request) {
                state.wait_until = state.wait_until.saturating_sub(1);
            }
            self.hang_candidates.borrow_mut().push(request);
        }
        removed
    }

    /// Sends a response for `request` unless it already has one.
    pub(crate) fn respond(&self, request: u64, response: http::Response<Body>, failed: bool) {
        {
            let mut requests = self.requests.borrow_mut();
            let Some(state) = requests.get_mut(&request) else {
                return;
            };
            if state.responded {
                return;
            }
            state.responded = true;
            state.responded_at = Some(Instant::now());
        }
        self.outputs.borrow_mut().push(Output::Response {
            request_id: request,
            response,
            failed,
        });
        self.finish_if_done(request);
    }

    /// Hands a request to the origin, or fails it when its body was already read, because a
    /// consumed body cannot be forwarded.
    pub(crate) fn pass_through(&self, request: u64, body_read: bool) {
        if body_read {
            tracing::warn!(worker = %self.worker, isolate = %self.isolate, request_id = request, "Script consumed request body but didn't call respondWith(). Can't forward request.");
            self.respond(request, internal_error_response(), true);
            return;
        }
        {
            let mut requests = self.requests.borrow_mut();
            let Some(state) = requests.get_mut(&request) else {
                return;
            };
            if state.responded {
                return;
            }
            state.responded = true;
            state.responded_at = Some(Instant::now());
        }
        self.outputs.borrow_mut().push(Output::Forward {
            request_id: request,
        });
        self.finish_if_done(request);
    }

    /// Fails a request after an uncaught exception, unless it already responded: with a 500,
    /// or by passing it to the origin after `passThroughOnException()`.
    pub(crate) fn fail_or_pass_through(&self, request: u64, message: &str, body_read: bool) {
        let pass = self
            .requests
            .borrow()
            .get(&request)
            .is_some_and(|state| state.pass_through && !state.responded);
        if pass {
            tracing::warn!(worker = %self.worker, isolate = %self.isolate, request_id = request, error = %message, "uncaught exception, passing the request through to the origin");
            self.pass_through(request, body_read);
            return;
        }
        self.fail(request, message);
    }

    /// Fails a request with a 500 after an uncaught exception, unless it already responded.
    pub(crate) fn fail(&self, request: u64, message: &str) {
        if self.meter.exceeded.get() {
            // The isolate answers every request with the memory-limit 503 once JS returns.
            tracing::debug!(worker = %self.worker, request_id = request, error = %message, "exception after the memory limit was hit");
            return;
        }
        let responded = self
            .requests
            .borrow()
            .get(&request)
            .is_none_or(|state| state.responded);
        if responded {
            tracing::warn!(worker = %self.worker, isolate = %self.isolate, request_id = request, error = %message, "uncaught exception after the response was sent");
            return;
        }
        tracing::warn!(worker = %self.worker, isolate = %self.isolate, request_id = request, error = %message, "uncaught exception in fetch handler");
        self.respond(request, internal_error_response(), true);
    }

    /// Ends the request context once it has a response and no `waitUntil` task is left; its
    /// remaining timers are cancelled, as Workers does for stateless requests.
    pub(crate) fn finish_if_done(&self, request: u64) {
        let done = self
            .requests
            .borrow()
            .get(&request)
            .is_some_and(|state| state.responded && state.wait_until == 0);
        if !done {
            return;
        }
        self.requests.borrow_mut().remove(&request);
        if let Some(stream) = self.streams.borrow_mut().remove(&request) {
            let reason = "the request ended before its response stream finished".to_string();
            let _ = stream.send(Err(StreamError(reason)));
        }

        let mut timers = self.timers.borrow_mut();
        let orphaned: Vec<u64> = timers
            .entries
            .iter()
            .filter(|(_, entry)| entry.owner == request)
            .map(|(id, _)| *id)
            .collect();
        for id in &orphaned {
            if let Some(entry) = timers.entries.remove(id) {
                timers.queue.remove(&(entry.deadline, *id));
            }
        }
        self.dropped_timers.borrow_mut().extend(orphaned);
    }

    /// Returns when the earliest `waitUntil` drain of a responded request runs out.
    pub(crate) fn next_drain_deadline(&self, limit: Duration) -> Option<Instant> {
        self.requests
            .borrow()
            .values()
            .filter(|state| state.wait_until > 0)
            .filter_map(|state| state.responded_at)
            .min()
            .map(|at| at + limit)
    }

    /// Cancels the `waitUntil` tasks of requests that responded more than `limit` ago.
    pub(crate) fn expire_wait_until(&self, now: Instant, limit: Duration) {
        let expired: Vec<u64> = self
            .requests
            .borrow()
            .iter()
            .filter(|(_, state)| state.wait_until > 0)
            .filter(|(_, state)| state.responded_at.is_some_and(|at| at + limit <= now))
            .map(|(id, _)| *id)
            .collect();
        for request in expired {
            tracing::warn!(worker = %self.worker, isolate = %self.isolate, request_id = request, limit_ms = limit.as_millis() as u64, "waitUntil() tasks did not complete within the allowed time after invocation end and have been cancelled.");
            if let Some(state) = self.requests.borrow_mut().get_mut(&request) {
                state.wait_until = 0;
            }
            self.finish_if_done(request);
        }
    }

    /// Cancels every candidate request that waits with nothing of its own left to settle it.
    ///
    /// Call only when the job queue is empty, so no continuation is still about to run.
    pub(crate) fn cancel_hung_requests(&self) {
        let candidates: Vec<u64> = self.hang_candidates.borrow_mut().drain(..).collect();
        for request in candidates {
            let (hung_response, hung_tasks) = {
                let requests = self.requests.borrow();
                let Some(state) = requests.get(&request) else {
                    continue;
                };
                let idle = state.timers == 0 && state.pending_io == 0;
                (
                    idle && !state.responded,
                    idle && state.responded && state.wait_until > 0,
                )
            };
            if hung_response {
                tracing::warn!(worker = %self.worker, isolate = %self.isolate, request_id = request, "{HANG_MESSAGE}");
                self.respond(request, internal_error_response(), true);
            } else if hung_tasks {
                tracing::warn!(worker = %self.worker, isolate = %self.isolate, request_id = request, "waitUntil() tasks can never settle, so they were cancelled");
                if let Some(state) = self.requests.borrow_mut().get_mut(&request) {
                    state.wait_until = 0;
                }
                self.finish_if_done(request);
            }
        }
    }
}

/// What workerd logs when it cancels a request whose promise can never settle.
pub(crate) const HANG_MESSAGE: &str = "The Workers runtime canceled this request because it \
     detected that your Worker's code had hung and would never generate a response. Refer to: \
     https://developers.cloudflare.com/workers/observability/errors/";

/// Converts a JS string of code points up to U+00FF into the bytes of an HTTP header value.
fn latin1_bytes(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}

fn build_response(
    status: u16,
    headers: Vec<String>,
    body: Vec<u8>,
) -> Result<http::Response<Body>, String> {
    let status = http::StatusCode::from_u16(status)
        .map_err(|_| format!("invalid response status {status}"))?;
    let mut response = status_response(status, Bytes::new());
    *response.body_mut() = Body::full(body);
    let map = response.headers_mut();
    for pair in headers.chunks(2) {
        let [name, value] = pair else {
            continue;
        };
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid response header name `{name}`"))?;
        let bytes = latin1_bytes(value)
            .ok_or_else(|| format!("header `{name}` has a non-Latin-1 value"))?;
        let value = http::HeaderValue::from_bytes(&bytes)
            .map_err(|_| format!("invalid value for response header `{name}`"))?;
        map.append(name, value);
    }
    Ok(response)
}

/// Defines the core natives on `host`.
pub(crate) fn register<'js>(
    ctx: &Ctx<'js>,
    host: &Object<'js>,
    state: &Rc<HostState>,
) -> rquickjs::Result<()> {
    let s = state.clone();
    host.set(
        "currentRequest",
        Function::new(ctx.clone(), move || s.current.get() as f64)?,
    )?;

    let s = state.clone();
    host.set("now", Function::new(ctx.clone(), move || s.clock_ms.get())?)?;

    let s = state.clone();
    host.set(
        "log",
        Function::new(ctx.clone(), move |level: String, message: String| {
            let request_id = s.current.get();
            match level.as_str() {
                "error" => {
                    tracing::error!(target: "worker", worker = %s.worker, request_id, "{message}")
                }
                "warn" => {
                    tracing::warn!(target: "worker", worker = %s.worker, request_id, "{message}")
                }
                "debug" => {
                    tracing::debug!(target: "worker", worker = %s.worker, request_id, "{message}")
                }
                _ => tracing::info!(target: "worker", worker = %s.worker, request_id, "{message}"),
            }
        })?,
    )?;

    let s = state.clone();
    host.set(
        "timerStart",
        Function::new(ctx.clone(), move |id: f64, delay: f64, repeat: bool| {
            s.start_timer(id as u64, delay, repeat)
        })?,
    )?;

    let s = state.clone();
    host.set(
        "timerCancel",
        Function::new(ctx.clone(), move |id: f64| s.cancel_timer(id as u64))?,
    )?;

    let s = state.clone();
    host.set(
        "respond",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>,
                  id: f64,
                  status: u16,
                  _status_text: String,
                  headers: Vec<String>,
                  body: TypedArray<'js, u8>|
                  -> rquickjs::Result<()> {
                // SAFETY: the bytes are copied before any JS runs that could detach the buffer.
                let bytes = unsafe { body.as_bytes() }.unwrap_or_default().to_vec();
                match build_response(status, headers, bytes) {
                    Ok(response) => {
                        s.respond(id as u64, response, false);
                        Ok(())
                    }
                    Err(message) => Err(Exception::throw_type(&ctx, &message)),
                }
            },
        )?,
    )?;

    let s = state.clone();
    host.set(
        "respondStream",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>,
                  id: f64,
                  status: u16,
                  _status_text: String,
                  headers: Vec<String>|
                  -> rquickjs::Result<()> {
                match build_response(status, headers, Vec::new()) {
                    Ok(response) => {
                        s.respond_stream(id as u64, response);
                        Ok(())
                    }
                    Err(message) => Err(Exception::throw_type(&ctx, &message)),
                }
            },
        )?,
    )?;

    let s = state.clone();
    host.set(
        "streamChunk",
        Function::new(ctx.clone(), move |id: f64, chunk: TypedArray<'js, u8>| {
            // SAFETY: the bytes are copied before any JS runs.
            let bytes = unsafe { chunk.as_bytes() }.map(Bytes::copy_from_slice);
            s.stream_chunk(id as u64, bytes.unwrap_or_default())
        })?,
    )?;

    let s = state.clone();
    host.set(
        "streamEnd",
        Function::new(ctx.clone(), move |id: f64, error: Option<String>| {
            s.stream_end(id as u64, error)
        })?,
    )?;

    let s = state.clone();
    host.set(
        "fail",
        Function::new(
            ctx.clone(),
            move |id: f64, message: String, body_read: Option<bool>| {
                s.fail_or_pass_through(id as u64, &message, body_read.unwrap_or(false))
            },
        )?,
    )?;

    let s = state.clone();
    host.set(
        "passThroughOnException",
        Function::new(ctx.clone(), move |id: f64| {
            if let Some(state) = s.requests.borrow_mut().get_mut(&(id as u64)) {
                state.pass_through = true;
            }
        })?,
    )?;

    let s = state.clone();
    host.set(
        "passThrough",
        Function::new(ctx.clone(), move |id: f64, body_read: Option<bool>| {
            s.pass_through(id as u64, body_read.unwrap_or(false))
        })?,
    )?;

    let s = state.clone();
    host.set(
        "waitUntilStart",
        Function::new(ctx.clone(), move |id: f64| {
            if let Some(state) = s.requests.borrow_mut().get_mut(&(id as u64)) {
                state.wait_until += 1;
            }
        })?,
    )?;

    let s = state.clone();
    host.set(
        "waitUntilEnd",
        Function::new(ctx.clone(), move |id: f64, error: Option<String>| {
            let id = id as u64;
            if let Some(message) = error {
                tracing::warn!(worker = %s.worker, request_id = id, error = %message, "waitUntil() task rejected");
            }
            if let Some(state) = s.requests.borrow_mut().get_mut(&id) {
                state.wait_until = state.wait_until.saturating_sub(1);
            }
            s.hang_candidates.borrow_mut().push(id);
            s.finish_if_done(id);
        })?,
    )?;

    Ok(())
}
