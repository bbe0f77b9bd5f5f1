//! Running the steps of one case against one target, each step under a timeout.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use edgecase_runtime::Syntax;
use futures_util::future::join_all;
use tokio::time::timeout;
use tracing::Instrument;

use crate::case::Case;
use crate::error::Error;
use crate::expect::{self, Mismatch};
use crate::report::{Detail, Failure, Location, Problem};
use crate::snapshot::{self, SnapshotName};
use crate::step::{Action, Exchange, Step};
use crate::target::{Session, Target};
use crate::transcript::{self, Transcript};
use crate::workspace;

/// Step timeout when `EDGECASE_STEP_TIMEOUT_MS` is unset.
pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// Settings of a run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Maximum time to wait for the worker to start or stop, for one response, or for an
    /// eviction.
    pub step_timeout: Duration,
    /// The target's snapshot directory, `conformance/snapshots/<runtime>`.
    pub snapshot_dir: PathBuf,
    /// The target's transcript directory, when `EDGECASE_TRANSCRIPTS` is set to `1`.
    pub transcript_dir: Option<PathBuf>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            step_timeout: DEFAULT_STEP_TIMEOUT,
            snapshot_dir: workspace::snapshots_dir().join("reference"),
            transcript_dir: None,
        }
    }
}

/// The state that the steps of one trial share: the case, the syntax, the options and the
/// transcript.
struct Trial<'a> {
    case: &'a Case,
    syntax: Syntax,
    options: &'a RunOptions,
    transcript: Option<Transcript>,
}

/// Runs trials from synchronous code, such as libtest-mimic's test threads, on one shared
/// tokio runtime.
pub struct Runner {
    target: Arc<dyn Target>,
    options: RunOptions,
    tokio: tokio::runtime::Runtime,
}

impl Runner {
    /// Creates a runner with its own multi-threaded tokio runtime.
    pub fn new(target: Arc<dyn Target>, options: RunOptions) -> Result<Runner, Error> {
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("edgecase-harness")
            .enable_all()
            .build()
            .map_err(|source| Error::Io {
                action: "start the tokio runtime".into(),
                source,
            })?;
        Ok(Runner {
            target,
            options,
            tokio,
        })
    }

    /// Returns the target.
    pub fn target(&self) -> &Arc<dyn Target> {
        &self.target
    }

    /// Runs one case in one syntax and waits for the result.
    pub fn run(&self, case: &Case, syntax: Syntax) -> Result<(), Failure> {
        self.tokio
            .block_on(run_case(self.target.as_ref(), case, syntax, &self.options))
    }
}

/// Starts the case's worker on the target, runs its steps in order, and stops the worker.
///
/// The first failing step ends the run, because later steps usually depend on its state. Every
/// failing request of a `concurrent` step is reported.
pub async fn run_case(
    target: &dyn Target,
    case: &Case,
    syntax: Syntax,
    options: &RunOptions,
) -> Result<(), Failure> {
    let span = tracing::info_span!("trial", case = %case.id, %syntax);
    let trial = Trial {
        case,
        syntax,
        options,
        transcript: options
            .transcript_dir
            .as_ref()
            .map(|_| Transcript::default()),
    };
    let result = run_steps(target, &trial).instrument(span).await;

    if let (Some(dir), Some(transcript)) = (&options.transcript_dir, &trial.transcript) {
        let path = transcript::path_for(dir, &case.id, syntax);
        if let Err(error) = transcript::write(&path, &transcript.text()) {
            tracing::warn!(case = %case.id, %syntax, path = %path.display(), %error, "failed to write transcript");
        }
    }
    result
}

async fn run_steps(target: &dyn Target, trial: &Trial<'_>) -> Result<(), Failure> {
    let (case, syntax, options) = (trial.case, trial.syntax, trial.options);
    let limit = options.step_timeout;
    let failure = |problems, server_output| Failure {
        file: case.file.clone(),
        syntax,
        target: target.name().to_string(),
        problems,
        server_output,
    };

    let mut session = match timeout(limit, target.start(case, syntax)).await {
        Ok(Ok(session)) => session,
        Ok(Err(error)) => return Err(failure(vec![problem(Detail::Start(error))], None)),
        Err(_) => {
            return Err(failure(
                vec![problem(Detail::Timeout {
                    limit,
                    waiting_for: "the worker to start",
                })],
                None,
            ));
        }
    };

    let mut problems = Vec::new();
    for (index, step) in case.steps.iter().enumerate() {
        tracing::debug!(step = index, "running step");
        problems = run_step(session.as_mut(), index, step, trial).await;
        if !problems.is_empty() {
            break;
        }
    }

    let server_output = if problems.is_empty() {
        None
    } else {
        session.output()
    };
    let stopped = timeout(limit, session.close()).await;
    let stop_problem = match stopped {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(Detail::Stop(error)),
        Err(_) => Some(Detail::Timeout {
            limit,
            waiting_for: "the worker to stop",
        }),
    };
    if let Some(detail) = stop_problem {
        if problems.is_empty() {
            problems.push(problem(detail));
        } else {
            tracing::warn!(case = %case.id, %syntax, ?detail, "failed to stop worker after a failed step");
        }
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(failure(problems, server_output))
    }
}

fn problem(detail: Detail) -> Problem {
    Problem {
        location: Location::default(),
        detail,
    }
}

async fn run_step(
    session: &mut dyn Session,
    index: usize,
    step: &Step,
    trial: &Trial<'_>,
) -> Vec<Problem> {
    let limit = trial.options.step_timeout;
    let location = |concurrent: Option<usize>, exchange: Option<&Exchange>| {
        let mut comments: Vec<String> = step.comment.iter().cloned().collect();
        comments.extend(exchange.and_then(|exchange| exchange.comment.clone()));
        Location {
            step: Some(index),
            concurrent,
            request: exchange.map(|exchange| exchange.request.summary()),
            comments,
        }
    };

    match &step.action {
        Action::Exchange(exchange) => {
            let found = run_exchange(session, exchange, location(None, Some(exchange)), trial);
            found.await.into_iter().collect()
        }
        Action::Concurrent(exchanges) => {
            let session: &dyn Session = session;
            let runs = exchanges.iter().enumerate().map(|(position, exchange)| {
                run_exchange(
                    session,
                    exchange,
                    location(Some(position), Some(exchange)),
                    trial,
                )
            });
            join_all(runs).await.into_iter().flatten().collect()
        }
        Action::Evict => {
            let detail = match timeout(limit, session.evict()).await {
                Ok(Ok(())) => return Vec::new(),
                Ok(Err(error)) => Detail::Step(error),
                Err(_) => Detail::Timeout {
                    limit,
                    waiting_for: "the eviction",
                },
            };
            vec![Problem {
                location: location(None, None),
                detail,
            }]
        }
        Action::Sleep(duration) => {
            tokio::time::sleep(*duration).await;
            Vec::new()
        }
    }
}

async fn run_exchange(
    session: &dyn Session,
    exchange: &Exchange,
    location: Location,
    trial: &Trial<'_>,
) -> Option<Problem> {
    let limit = trial.options.step_timeout;
    let label = location_label(&location);
    let position = (
        location.step.unwrap_or_default(),
        location.concurrent.unwrap_or_default(),
    );
    let detail = match timeout(limit, session.send(exchange.request.to_http())).await {
        Ok(Ok(response)) => {
            if let Some(transcript) = &trial.transcript {
                transcript.record(position, &label, &exchange.request, Ok(&response));
            }
            let mut mismatches = expect::check(&exchange.expect, &response);
            if exchange.expect.has_snapshot() {
                mismatches.extend(check_snapshot(exchange, &location, &response, trial));
            }
            if mismatches.is_empty() {
                return None;
            }
            Detail::Mismatch {
                mismatches,
                response: Box::new(response),
            }
        }
        Ok(Err(error)) => {
            if let Some(transcript) = &trial.transcript {
                transcript.record(position, &label, &exchange.request, Err(&error.to_string()));
            }
            Detail::Step(error)
        }
        Err(_) => {
            if let Some(transcript) = &trial.transcript {
                let message = format!("no response within {} ms", limit.as_millis());
                transcript.record(position, &label, &exchange.request, Err(&message));
            }
            Detail::Timeout {
                limit,
                waiting_for: "the response",
            }
        }
    };
    Some(Problem { location, detail })
}

/// Compares a response with the step's stored snapshot.
fn check_snapshot(
    exchange: &Exchange,
    location: &Location,
    response: &crate::response::Response,
    trial: &Trial<'_>,
) -> Option<Mismatch> {
    let name = SnapshotName::new(
        &trial.options.snapshot_dir,
        &trial.case.id,
        trial.syntax,
        location.step.unwrap_or_default(),
        location.concurrent,
    );
    let content = snapshot::render(&exchange.expect, response);
    let summary = exchange.request.summary();
    snapshot::check(&name, trial.case, &summary, &content)
        .err()
        .map(|message| Mismatch::Snapshot {
            file: workspace::display_path(&name.file()),
            message,
        })
}

/// Returns where an exchange is in its case, such as `steps[2]` or `steps[1].concurrent[0]`.
fn location_label(location: &Location) -> String {
    match (location.step, location.concurrent) {
        (Some(step), Some(index)) => format!("steps[{step}].concurrent[{index}]"),
        (Some(step), None) => format!("steps[{step}]"),
        (None, _) => "start".into(),
    }
}
