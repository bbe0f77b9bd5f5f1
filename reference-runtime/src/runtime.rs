//! The embedding API: register workers, send them requests, evict their isolates.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::sync::oneshot;

use crate::body::Body;
use crate::config::{Routing, RuntimeConfig, WorkerSpec};
use crate::error::Error;
use crate::pool::{Command, FetchReply, IsolateId, Pool};
use crate::stats::{EvictionReason, StatsCell, WorkerStats};

/// Times a request may find its isolate evicted before the runtime gives up on it.
const MAX_ROUTING_ATTEMPTS: usize = 8;

/// A process-wide host of many workers and their isolates.
///
/// Cloning is cheap and every clone drives the same isolate threads.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    workers: Mutex<HashMap<String, Arc<WorkerEntry>>>,
    next_isolate: AtomicU64,
    next_request: AtomicU64,
}

struct WorkerEntry {
    spec: Arc<WorkerSpec>,
    instances: Mutex<Vec<Option<IsolateRef>>>,
    next_instance: AtomicUsize,
    random_state: Mutex<u64>,
    stats: Arc<StatsCell>,
}

#[derive(Clone, Debug)]
struct IsolateRef {
    id: IsolateId,
    thread: usize,
    /// Set by the isolate's thread when it starts draining the isolate for any reason, so that
    /// new requests start a fresh isolate instead.
    retired: Arc<AtomicBool>,
}

impl Runtime {
    /// Starts the isolate threads.
    pub fn new(config: RuntimeConfig) -> Result<Runtime, Error> {
        let pool = Pool::start(&config)?;
        Ok(Runtime {
            inner: Arc::new(Inner {
                pool,
                workers: Mutex::new(HashMap::new()),
                next_isolate: AtomicU64::new(1),
                next_request: AtomicU64::new(1),
            }),
        })
    }

    /// Registers a worker and starts its first isolate, so a broken script fails here.
    pub async fn add_worker(&self, spec: WorkerSpec) -> Result<(), Error> {
        if spec.instances == 0 {
            return Err(Error::InvalidWorker {
                name: spec.name,
                reason: "`instances` is 0: a worker needs at least one instance".into(),
            });
        }
        let name = spec.name.clone();
        let entry = Arc::new(WorkerEntry {
            instances: Mutex::new(vec![None; spec.instances]),
            next_instance: AtomicUsize::new(0),
            random_state: Mutex::new(match spec.routing {
                Routing::Random { seed } => seed,
                _ => 0,
            }),
            stats: Arc::new(StatsCell::default()),
            spec: Arc::new(spec),
        });
        {
            let mut workers = self.lock_workers();
            if workers.contains_key(&name) {
                return Err(Error::DuplicateWorker(name));
            }
            workers.insert(name.clone(), entry.clone());
        }

        let isolate = self.isolate_for(&entry, 0);
        let (reply, started) = oneshot::channel();
        self.inner.pool.send(
            isolate.thread,
            Command::CheckStarted {
                isolate: isolate.id,
                reply,
            },
        )?;
        match started.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => {
                self.lock_workers().remove(&name);
                Err(Error::Startup { name, message })
            }
            Err(_) => Err(Error::ThreadStopped(isolate.thread)),
        }
    }

    /// Unregisters a worker and drops its isolates once their in-flight events settle.
    pub async fn remove_worker(&self, name: &str) -> Result<(), Error> {
        self.evict(name).await?;
        self.lock_workers().remove(name);
        Ok(())
    }

    /// Names of the registered workers, sorted.
    pub fn worker_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.lock_workers().keys().cloned().collect();
        names.sort();
        names
    }

    /// Sends one request to a worker and waits for its response.
    ///
    /// The URL of the request must be absolute. A script error is a 500 response, not an `Err`.
    pub async fn fetch(
        &self,
        worker: &str,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Body>, Error> {
        let entry = self.worker(worker)?;
        let mut request = with_host_header(request);
        let instance = entry.pick_instance();
        entry.stats.update(|s| s.requests += 1);

        // An isolate may be evicted between routing and arrival; such a request comes back
        // untouched and goes to the instance's next isolate.
        for _ in 0..MAX_ROUTING_ATTEMPTS {
            let isolate = self.isolate_for(&entry, instance);
            let request_id = self.inner.next_request.fetch_add(1, Ordering::Relaxed);
            let (reply, response) = oneshot::channel();
            self.inner.pool.send(
                isolate.thread,
                Command::Fetch {
                    isolate: isolate.id,
                    request_id,
                    request,
                    reply,
                },
            )?;
            match response.await {
                Ok(FetchReply::Response(response)) => return Ok(response),
                Ok(FetchReply::Retry(returned)) => {
                    isolate.retired.store(true, Ordering::Release);
                    request = returned;
                }
                Err(_) => return Err(Error::ThreadStopped(isolate.thread)),
            }
        }
        Err(Error::Unroutable {
            worker: worker.to_string(),
            attempts: MAX_ROUTING_ATTEMPTS,
        })
    }

    /// Stops routing requests to the worker's isolates, waits for their in-flight events and
    /// `waitUntil` tasks to settle, then drops them. The next request starts a fresh isolate.
    pub async fn evict(&self, worker: &str) -> Result<(), Error> {
        let entry = self.worker(worker)?;
        let isolates: Vec<IsolateRef> = {
            let mut instances = entry.lock_instances();
            instances.iter_mut().filter_map(Option::take).collect()
        };

        let mut waits = Vec::new();
        for isolate in isolates {
            let (reply, drained) = oneshot::channel();
            self.inner.pool.send(
                isolate.thread,
                Command::Evict {
                    isolate: isolate.id,
                    reason: EvictionReason::Explicit,
                    reply: Some(reply),
                },
            )?;
            waits.push((isolate.thread, drained));
        }
        for (thread, drained) in waits {
            drained.await.map_err(|_| Error::ThreadStopped(thread))?;
        }
        Ok(())
    }

    /// Keeps workers' subrequests away from `address`, typically a listener of this process.
    pub fn block_outbound(&self, address: std::net::SocketAddr) {
        self.inner.pool.blocked.add(address);
    }

    /// Returns the counters of a worker.
    pub fn stats(&self, worker: &str) -> Result<WorkerStats, Error> {
        Ok(self.worker(worker)?.stats.snapshot())
    }

    fn worker(&self, name: &str) -> Result<Arc<WorkerEntry>, Error> {
        self.lock_workers()
            .get(name)
            .cloned()
            .ok_or_else(|| Error::UnknownWorker(name.to_string()))
    }

    fn lock_workers(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<WorkerEntry>>> {
        self.inner.workers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Returns the isolate of one instance, starting a new one if the slot is empty.
    fn isolate_for(&self, entry: &WorkerEntry, instance: usize) -> IsolateRef {
        let mut instances = entry.lock_instances();
        if let Some(isolate) = &instances[instance]
            && !isolate.retired.load(Ordering::Acquire)
        {
            return isolate.clone();
        }

        let id = IsolateId(self.inner.next_isolate.fetch_add(1, Ordering::Relaxed));
        let thread = self.inner.pool.pick_thread();
        let retired = Arc::new(AtomicBool::new(false));
        let isolate = IsolateRef {
            id,
            thread,
            retired: retired.clone(),
        };
        instances[instance] = Some(isolate.clone());
        entry.stats.update(|s| s.isolates_started += 1);

        // A failed send means the thread is gone; the fetch that follows reports it.
        let _ = self.inner.pool.send(
            thread,
            Command::Start {
                isolate: id,
                spec: entry.spec.clone(),
                stats: entry.stats.clone(),
                retired,
            },
        );
        isolate
    }
}

impl WorkerEntry {
    fn lock_instances(&self) -> std::sync::MutexGuard<'_, Vec<Option<IsolateRef>>> {
        self.instances.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn pick_instance(&self) -> usize {
        let count = self.spec.instances;
        match self.spec.routing {
            Routing::Sticky => 0,
            Routing::RoundRobin => self.next_instance.fetch_add(1, Ordering::Relaxed) % count,
            Routing::Random { .. } => {
                let mut state = self.random_state.lock().unwrap_or_else(|e| e.into_inner());
                (splitmix64(&mut state) % count as u64) as usize
            }
        }
    }
}

/// Adds a `Host` header from the URL when the request has none, as every HTTP/1.1 request has.
fn with_host_header(mut request: http::Request<Bytes>) -> http::Request<Bytes> {
    if request.headers().contains_key(http::header::HOST) {
        return request;
    }
    let authority = request.uri().authority().map(|a| a.as_str().to_string());
    if let Some(value) = authority.and_then(|a| http::HeaderValue::from_str(&a).ok()) {
        request.headers_mut().insert(http::header::HOST, value);
    }
    request
}

/// Advances a SplitMix64 generator: small, seedable and good enough to spread requests.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
