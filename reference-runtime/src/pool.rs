//! Isolate threads. Each isolate lives on one OS thread for its whole life, and each thread runs
//! an event loop that switches between its isolates whenever one waits.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use bytes::Bytes;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use tokio::sync::oneshot;

use crate::body::Body;
use crate::config::{RuntimeConfig, WorkerSpec};
use crate::engine::{BlockedAddresses, FetchOutcome, Isolate, Output, perform_fetch};
use crate::error::Error;
use crate::forward::{self, ForwardRequest};
use crate::stats::{EvictionReason, StatsCell};

/// Process-unique id of one isolate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IsolateId(pub u64);

impl std::fmt::Display for IsolateId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "isolate-{}", self.0)
    }
}

/// Returns the heap pages that a dropped isolate freed to the OS, so the process's RSS falls
/// back instead of staying at its peak.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Work sent to an isolate thread.
pub(crate) enum Command {
    Start {
        isolate: IsolateId,
        spec: Arc<WorkerSpec>,
        stats: Arc<StatsCell>,
        retired: Arc<AtomicBool>,
    },
    CheckStarted {
        isolate: IsolateId,
        reply: oneshot::Sender<Result<(), String>>,
    },
    Fetch {
        isolate: IsolateId,
        request_id: u64,
        request: http::Request<Bytes>,
        reply: oneshot::Sender<FetchReply>,
    },
    Evict {
        isolate: IsolateId,
        reason: EvictionReason,
        reply: Option<oneshot::Sender<()>>,
    },
    /// The client of a streamed response went away.
    StreamClosed { isolate: IsolateId, request_id: u64 },
    /// A subrequest finished on the I/O runtime.
    FetchDone {
        isolate: IsolateId,
        fetch_id: u64,
        outcome: FetchOutcome,
    },
}

/// Reply of an isolate thread to a fetch.
pub(crate) enum FetchReply {
    /// The worker's response.
    Response(http::Response<Body>),
    /// The isolate was evicted before the request reached it; route the request again.
    Retry(http::Request<Bytes>),
}

/// Handles to the isolate threads.
pub(crate) struct Pool {
    senders: Arc<Vec<Sender<Command>>>,
    /// Listeners that subrequests must not reach.
    pub(crate) blocked: BlockedAddresses,
    next_thread: AtomicUsize,
    /// Runs outbound HTTP for every isolate thread; kept alive as long as the pool.
    io: Option<tokio::runtime::Runtime>,
}

impl Drop for Pool {
    fn drop(&mut self) {
        // A plain drop blocks, which panics when the last handle goes away inside async code.
        if let Some(io) = self.io.take() {
            io.shutdown_background();
        }
    }
}

/// Heap size and last use of every live isolate, across threads, for the memory budget.
#[derive(Default)]
struct Ledger {
    entries: HashMap<IsolateId, LedgerEntry>,
}

struct LedgerEntry {
    thread: usize,
    heap_bytes: usize,
    last_used: Instant,
    draining: bool,
}

impl Pool {
    pub(crate) fn start(config: &RuntimeConfig) -> Result<Pool, Error> {
        let threads = config.threads.max(1);
        let mut senders = Vec::with_capacity(threads);
        let mut receivers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (sender, receiver) = crossbeam_channel::unbounded();
            senders.push(sender);
            receivers.push(receiver);
        }
        let senders = Arc::new(senders);
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let io = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("edgecase-io")
            .enable_all()
            .build()
            .map_err(Error::Spawn)?;
        let blocked = BlockedAddresses::default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Spawn(std::io::Error::other(e)))?;
        for (index, receiver) in receivers.into_iter().enumerate() {
            let config = config.clone();
            // Weak, so dropping the pool disconnects the channels and the threads exit.
            let senders = Arc::downgrade(&senders);
            let ledger = ledger.clone();
            let io_handle = io.handle().clone();
            let client = client.clone();
            let blocked = blocked.clone();
            // Isolates are not Send, so the thread state is built on the thread itself.
            let run = move || {
                IsolateThread {
                    index,
                    config,
                    receiver,
                    slots: HashMap::new(),
                    replies: HashMap::new(),
                    forwardable: HashMap::new(),
                    io: io_handle,
                    client,
                    blocked,
                    senders,
                    ledger,
                }
                .run()
            };
            std::thread::Builder::new()
                .name(format!("edgecase-isolates-{index}"))
                .stack_size(crate::engine::THREAD_STACK_SIZE)
                .spawn(run)
                .map_err(Error::Spawn)?;
        }
        Ok(Pool {
            senders,
            blocked,
            next_thread: AtomicUsize::new(0),
            io: Some(io),
        })
    }

    pub(crate) fn pick_thread(&self) -> usize {
        self.next_thread.fetch_add(1, Ordering::Relaxed) % self.senders.len()
    }

    pub(crate) fn send(&self, thread: usize, command: Command) -> Result<(), Error> {
        self.senders[thread]
            .send(command)
            .map_err(|_| Error::ThreadStopped(thread))
    }
}

struct Slot {
    spec: Arc<WorkerSpec>,
    stats: Arc<StatsCell>,
    retired: Arc<AtomicBool>,
    isolate: Result<Isolate, String>,
    drain: Option<Drain>,
    last_used: Instant,
}

impl Slot {
    /// Starts draining the isolate: no new request is routed to it from now on.
    fn start_drain(&mut self, reason: EvictionReason) -> &mut Drain {
        self.retired.store(true, Ordering::Release);
        self.drain.get_or_insert(Drain {
            reason,
            waiters: Vec::new(),
        })
    }
}

struct Drain {
    reason: EvictionReason,
    waiters: Vec<oneshot::Sender<()>>,
}

struct IsolateThread {
    index: usize,
    config: RuntimeConfig,
    receiver: Receiver<Command>,
    slots: HashMap<IsolateId, Slot>,
    replies: HashMap<u64, oneshot::Sender<FetchReply>>,
    /// Copies of requests to workers with an origin, kept until answered.
    forwardable: HashMap<u64, ForwardRequest>,
    io: tokio::runtime::Handle,
    client: reqwest::Client,
    blocked: BlockedAddresses,
    senders: Weak<Vec<Sender<Command>>>,
    ledger: Arc<Mutex<Ledger>>,
}

impl IsolateThread {
    fn run(mut self) {
        tracing::debug!(thread = self.index, "isolate thread started");
        loop {
            let deadline = self.next_deadline();
            let first = match deadline {
                Some(deadline) => match self.receiver.recv_deadline(deadline) {
                    Ok(command) => Some(command),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                },
                None => match self.receiver.recv() {
                    Ok(command) => Some(command),
                    Err(_) => break,
                },
            };

            // Take everything queued so a burst of requests is dispatched before timers run.
            if let Some(command) = first {
                self.handle(command);
                while let Ok(command) = self.receiver.try_recv() {
                    self.handle(command);
                }
            }

            self.run_timers();
            self.deliver_outputs();
            self.evict_idle();
            self.enforce_memory_budget();
            self.finish_drains();
        }
        tracing::debug!(thread = self.index, "isolate thread stopped");
    }

    fn next_deadline(&self) -> Option<Instant> {
        let drain_limit = self.config.wait_until_limit;
        let work = self
            .slots
            .values()
            .filter_map(|slot| slot.isolate.as_ref().ok()?.next_deadline(drain_limit));
        let idle = self.config.idle_timeout.into_iter().flat_map(|timeout| {
            self.slots
                .values()
                .filter(|slot| slot.drain.is_none())
                .map(move |slot| slot.last_used + timeout)
        });
        work.chain(idle).min()
    }

    fn evict_idle(&mut self) {
        let Some(timeout) = self.config.idle_timeout else {
            return;
        };
        let now = Instant::now();
        for slot in self.slots.values_mut() {
            let idle = slot.isolate.as_ref().map_or(true, |i| i.in_flight() == 0);
            if idle && slot.drain.is_none() && now.duration_since(slot.last_used) >= timeout {
                slot.start_drain(EvictionReason::IdleTimeout);
            }
        }
    }

    /// Records this thread's heap sizes and, past the process-wide budget, evicts the least
    /// recently used isolates of any thread until the rest fits.
    fn enforce_memory_budget(&mut self) {
        let Some(budget) = self.config.memory_budget else {
            return;
        };
        let mut ledger = self.ledger.lock().unwrap_or_else(|e| e.into_inner());
        for (id, slot) in &self.slots {
            let Ok(isolate) = &slot.isolate else {
                continue;
            };
            ledger.entries.insert(
                *id,
                LedgerEntry {
                    thread: self.index,
                    heap_bytes: isolate.heap_bytes(),
                    last_used: slot.last_used,
                    draining: slot.drain.is_some(),
                },
            );
        }

        let mut total: usize = ledger.entries.values().map(|e| e.heap_bytes).sum();
        let mut candidates: Vec<(Instant, IsolateId)> = ledger
            .entries
            .iter()
            .filter(|(_, entry)| !entry.draining)
            .map(|(id, entry)| (entry.last_used, *id))
            .collect();
        candidates.sort();
        for (_, id) in candidates {
            if total <= budget {
                break;
            }
            let Some(entry) = ledger.entries.get_mut(&id) else {
                continue;
            };
            entry.draining = true;
            total = total.saturating_sub(entry.heap_bytes);
            tracing::info!(isolate = %id, heap_bytes = entry.heap_bytes, budget, "memory budget exceeded, evicting the least recently used isolate");
            if entry.thread == self.index {
                if let Some(slot) = self.slots.get_mut(&id) {
                    slot.start_drain(EvictionReason::MemoryPressure);
                }
            } else if let Some(senders) = self.senders.upgrade() {
                let _ = senders[entry.thread].send(Command::Evict {
                    isolate: id,
                    reason: EvictionReason::MemoryPressure,
                    reply: None,
                });
            }
        }
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Start {
                isolate,
                spec,
                stats,
                retired,
            } => {
                let started = Isolate::start(isolate, spec.clone(), &self.config);
                if let Err(message) = &started {
                    tracing::warn!(worker = %spec.name, %isolate, error = %message, "worker failed to start");
                }
                self.slots.insert(
                    isolate,
                    Slot {
                        spec,
                        stats,
                        retired,
                        isolate: started,
                        drain: None,
                        last_used: Instant::now(),
                    },
                );
            }
            Command::CheckStarted { isolate, reply } => {
                let result = match self.slots.get(&isolate) {
                    Some(slot) => slot.isolate.as_ref().map(|_| ()).map_err(Clone::clone),
                    None => Err(format!("{isolate} was never started")),
                };
                let _ = reply.send(result);
            }
            Command::Fetch {
                isolate,
                request_id,
                request,
                reply,
            } => self.fetch(isolate, request_id, request, reply),
            Command::StreamClosed {
                isolate,
                request_id,
            } => {
                if let Some(Ok(engine)) = self.slots.get_mut(&isolate).map(|s| &mut s.isolate) {
                    engine.cancel_stream(request_id);
                }
            }
            Command::FetchDone {
                isolate,
                fetch_id,
                outcome,
            } => {
                if let Some(Ok(engine)) = self.slots.get_mut(&isolate).map(|s| &mut s.isolate) {
                    engine.complete_fetch(fetch_id, outcome);
                }
            }
            Command::Evict {
                isolate,
                reason,
                reply,
            } => match self.slots.get_mut(&isolate) {
                Some(slot) => slot.start_drain(reason).waiters.extend(reply),
                None => {
                    if let Some(reply) = reply {
                        let _ = reply.send(());
                    }
                }
            },
        }
    }

    fn fetch(
        &mut self,
        isolate: IsolateId,
        request_id: u64,
        request: http::Request<Bytes>,
        reply: oneshot::Sender<FetchReply>,
    ) {
        let Some(slot) = self.slots.get_mut(&isolate) else {
            tracing::debug!(%isolate, request_id, "request reached an evicted isolate, routing it again");
            let _ = reply.send(FetchReply::Retry(request));
            return;
        };
        slot.last_used = Instant::now();
        match &mut slot.isolate {
            Ok(engine) => {
                self.replies.insert(request_id, reply);
                if slot.spec.origin.is_some() {
                    self.forwardable
                        .insert(request_id, ForwardRequest::copy_of(&request));
                }
                engine.dispatch(request_id, request);
            }
            Err(message) => {
                tracing::warn!(worker = %slot.spec.name, %isolate, request_id, error = %message, "request to a worker that failed to start");
                slot.stats.update(|s| s.failed_requests += 1);
                let _ = reply.send(FetchReply::Response(
                    crate::engine::internal_error_response(),
                ));
            }
        }
    }

    fn run_timers(&mut self) {
        let now = Instant::now();
        for slot in self.slots.values_mut() {
            if let Ok(isolate) = &mut slot.isolate {
                isolate.run_due_timers(now);
                isolate.expire_wait_until(now, self.config.wait_until_limit);
            }
        }
    }

    fn deliver_outputs(&mut self) {
        let own_sender = self
            .senders
            .upgrade()
            .map(|senders| senders[self.index].clone());
        for (id, slot) in self.slots.iter_mut() {
            let Ok(isolate) = &mut slot.isolate else {
                continue;
            };
            for fetch in isolate.take_outbound() {
                let Some(sender) = own_sender.clone() else {
                    break;
                };
                let client = self.client.clone();
                let blocked = self.blocked.clone();
                let isolate_id = *id;
                self.io.spawn(async move {
                    let fetch_id = fetch.id;
                    let outcome = perform_fetch(&client, &blocked, fetch).await;
                    let _ = sender.send(Command::FetchDone {
                        isolate: isolate_id,
                        fetch_id,
                        outcome,
                    });
                });
            }
            for output in isolate.take_outputs() {
                match output {
                    Output::Response {
                        request_id,
                        mut response,
                        failed,
                    } => {
                        if let Some(sender) = own_sender.clone() {
                            let isolate_id = *id;
                            response.body_mut().on_disconnect(Box::new(move || {
                                let _ = sender.send(Command::StreamClosed {
                                    isolate: isolate_id,
                                    request_id,
                                });
                            }));
                        }
                        if failed {
                            slot.stats.update(|s| s.failed_requests += 1);
                        }
                        self.forwardable.remove(&request_id);
                        if let Some(reply) = self.replies.remove(&request_id) {
                            // The caller may have given up; its response is then dropped.
                            let _ = reply.send(FetchReply::Response(response));
                        }
                    }
                    Output::Forward { request_id } => {
                        let Some(reply) = self.replies.remove(&request_id) else {
                            continue;
                        };
                        let request = self.forwardable.remove(&request_id);
                        let worker = slot.spec.name.clone();
                        match (slot.spec.origin.clone(), request) {
                            (Some(origin), Some(request)) => {
                                let client = self.client.clone();
                                self.io.spawn(async move {
                                    let response = forward::forward(
                                        &client, &origin, request, &worker, request_id,
                                    )
                                    .await;
                                    let _ = reply.send(FetchReply::Response(response));
                                });
                            }
                            _ => {
                                let response = forward::no_origin(&worker, request_id);
                                let _ = reply.send(FetchReply::Response(response));
                            }
                        }
                    }
                    Output::Evict { reason } => {
                        slot.start_drain(reason);
                    }
                }
            }
        }
    }

    fn finish_drains(&mut self) {
        let done: Vec<IsolateId> = self
            .slots
            .iter()
            .filter(|(_, slot)| {
                slot.drain.is_some()
                    && slot
                        .isolate
                        .as_ref()
                        .map_or(true, |isolate| isolate.in_flight() == 0)
            })
            .map(|(id, _)| *id)
            .collect();
        for id in done {
            let Some(slot) = self.slots.remove(&id) else {
                continue;
            };
            let drain = slot.drain.expect("filtered on drain");
            self.ledger
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entries
                .remove(&id);
            slot.stats
                .update(|s| *s.evictions.entry(drain.reason).or_default() += 1);
            tracing::info!(worker = %slot.spec.name, isolate = %id, reason = %drain.reason, "isolate evicted");
            drop(slot.isolate);
            release_freed_memory();
            for waiter in drain.waiters {
                let _ = waiter.send(());
            }
        }
    }
}
