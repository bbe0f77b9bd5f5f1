//! Isolate threads. Each isolate lives on one OS thread for its whole life, and each thread runs
//! an event loop that switches between its isolates whenever one waits.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use bytes::Bytes;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use tokio::sync::oneshot;

use crate::body::Body;
use crate::config::{RuntimeConfig, WorkerSpec};
use crate::engine::{Isolate, Output};
use crate::error::Error;
use crate::stats::{EvictionReason, StatsCell};

/// Process-unique id of one isolate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IsolateId(pub u64);

impl std::fmt::Display for IsolateId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "isolate-{}", self.0)
    }
}

/// Work sent to an isolate thread.
pub(crate) enum Command {
    Start {
        isolate: IsolateId,
        spec: Arc<WorkerSpec>,
        stats: Arc<StatsCell>,
    },
    CheckStarted {
        isolate: IsolateId,
        reply: oneshot::Sender<Result<(), String>>,
    },
    Fetch {
        isolate: IsolateId,
        request_id: u64,
        request: http::Request<Bytes>,
        reply: oneshot::Sender<http::Response<Body>>,
    },
    Evict {
        isolate: IsolateId,
        reason: EvictionReason,
        reply: Option<oneshot::Sender<()>>,
    },
}

/// Handles to the isolate threads.
pub(crate) struct Pool {
    senders: Vec<Sender<Command>>,
    next_thread: AtomicUsize,
}

impl Pool {
    pub(crate) fn start(config: &RuntimeConfig) -> Result<Pool, Error> {
        let threads = config.threads.max(1);
        let mut senders = Vec::with_capacity(threads);
        for index in 0..threads {
            let (sender, receiver) = crossbeam_channel::unbounded();
            let config = config.clone();
            std::thread::Builder::new()
                .name(format!("edgecase-isolates-{index}"))
                .stack_size(crate::engine::THREAD_STACK_SIZE)
                .spawn(move || IsolateThread::new(index, config, receiver).run())
                .map_err(Error::Spawn)?;
            senders.push(sender);
        }
        Ok(Pool {
            senders,
            next_thread: AtomicUsize::new(0),
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
    isolate: Result<Isolate, String>,
    drain: Option<Drain>,
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
    replies: HashMap<u64, oneshot::Sender<http::Response<Body>>>,
}

impl IsolateThread {
    fn new(index: usize, config: RuntimeConfig, receiver: Receiver<Command>) -> Self {
        IsolateThread {
            index,
            config,
            receiver,
            slots: HashMap::new(),
            replies: HashMap::new(),
        }
    }

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
            self.finish_drains();
        }
        tracing::debug!(thread = self.index, "isolate thread stopped");
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.slots
            .values()
            .filter_map(|slot| slot.isolate.as_ref().ok()?.next_deadline())
            .min()
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Start {
                isolate,
                spec,
                stats,
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
                        isolate: started,
                        drain: None,
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
            Command::Evict {
                isolate,
                reason,
                reply,
            } => match self.slots.get_mut(&isolate) {
                Some(slot) => {
                    let drain = slot.drain.get_or_insert(Drain {
                        reason,
                        waiters: Vec::new(),
                    });
                    drain.waiters.extend(reply);
                }
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
        reply: oneshot::Sender<http::Response<Body>>,
    ) {
        let Some(slot) = self.slots.get_mut(&isolate) else {
            let _ = reply.send(crate::engine::internal_error_response());
            tracing::error!(%isolate, request_id, "request routed to an unknown isolate");
            return;
        };
        match &mut slot.isolate {
            Ok(engine) => {
                self.replies.insert(request_id, reply);
                engine.dispatch(request_id, request);
            }
            Err(message) => {
                tracing::warn!(worker = %slot.spec.name, %isolate, request_id, error = %message, "request to a worker that failed to start");
                slot.stats.update(|s| s.failed_requests += 1);
                let _ = reply.send(crate::engine::internal_error_response());
            }
        }
    }

    fn run_timers(&mut self) {
        let now = Instant::now();
        for slot in self.slots.values_mut() {
            if let Ok(isolate) = &mut slot.isolate {
                isolate.run_due_timers(now);
            }
        }
    }

    fn deliver_outputs(&mut self) {
        for slot in self.slots.values_mut() {
            let Ok(isolate) = &mut slot.isolate else {
                continue;
            };
            for output in isolate.take_outputs() {
                match output {
                    Output::Response {
                        request_id,
                        response,
                        failed,
                    } => {
                        if failed {
                            slot.stats.update(|s| s.failed_requests += 1);
                        }
                        if let Some(reply) = self.replies.remove(&request_id) {
                            // The caller may have given up; its response is then dropped.
                            let _ = reply.send(response);
                        }
                    }
                    Output::Evict { reason } => {
                        slot.drain.get_or_insert(Drain {
                            reason,
                            waiters: Vec::new(),
                        });
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
            slot.stats
                .update(|s| *s.evictions.entry(drain.reason).or_default() += 1);
            tracing::info!(worker = %slot.spec.name, isolate = %id, reason = %drain.reason, "isolate evicted");
            drop(slot.isolate);
            for waiter in drain.waiters {
                let _ = waiter.send(());
            }
        }
    }
}
