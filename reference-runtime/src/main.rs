//! `edgecase-runtime`: serves a worker script on loopback, like `workerd serve` or `wrangler dev`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use edgecase_runtime::serve::{ServeOptions, WorkerRouter, serve_workers_until};
use edgecase_runtime::{Limits, Routing, Runtime, RuntimeConfig, Syntax, WorkerSpec};

#[derive(Parser)]
#[command(
    name = "edgecase-runtime",
    version,
    about = "Reference runtime for the Cloudflare Workers model"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve one worker script over HTTP.
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Worker scripts, in module or service-worker syntax. With several, a request picks its
    /// worker by the first label of its Host header: `NAME.localhost` for `NAME.js`.
    #[arg(required = true)]
    scripts: Vec<PathBuf>,
    /// Register each script this many times, as NAME-1 ... NAME-N.
    #[arg(long, default_value_t = 1)]
    replicas: usize,
    /// TCP port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Script syntax; detected from the script when omitted.
    #[arg(long)]
    syntax: Option<Syntax>,
    /// Text binding as NAME=VALUE; repeat for more.
    #[arg(long = "binding", value_name = "NAME=VALUE")]
    bindings: Vec<String>,
    /// Number of isolates that serve the worker.
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// How requests pick an instance: round-robin, sticky, or random:SEED.
    #[arg(long, default_value = "round-robin")]
    routing: Routing,
    /// Evict an isolate after this many milliseconds without a request.
    #[arg(long)]
    idle_timeout_ms: Option<u64>,
    /// Process-wide heap budget for all isolates, in MiB; least recently used go first.
    #[arg(long)]
    memory_budget_mb: Option<usize>,
    /// CPU time limit per request, in milliseconds.
    #[arg(long)]
    cpu_ms: Option<u64>,
    /// Heap limit per isolate, in MiB.
    #[arg(long)]
    memory_mb: Option<u64>,
    /// Origin that receives requests the worker passes through, e.g. http://127.0.0.1:9000.
    #[arg(long)]
    origin: Option<url::Url>,
    /// Largest request body accepted, in bytes; larger ones get 413.
    #[arg(long, default_value_t = ServeOptions::default().max_body_bytes)]
    max_body_bytes: usize,
    /// Largest request line plus headers, in bytes; larger ones get 431.
    #[arg(long, default_value_t = ServeOptions::default().max_header_bytes)]
    max_header_bytes: usize,
    /// Milliseconds a client may take to send its request head.
    #[arg(long, default_value_t = ServeOptions::default().header_read_timeout.as_millis() as u64)]
    header_timeout_ms: u64,
    /// Let the worker's fetch() reach this server's own port.
    #[arg(long)]
    allow_self_fetch: bool,
    /// Milliseconds to wait for in-flight requests and waitUntil tasks on SIGTERM or Ctrl-C.
    #[arg(long, default_value_t = ServeOptions::default().shutdown_grace.as_millis() as u64)]
    shutdown_grace_ms: u64,
    /// Isolate threads; defaults to the number of cores.
    #[arg(long)]
    threads: Option<usize>,
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("error: {error:#}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => run_serve(args),
    }
}

fn parse_bindings(raw: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    let mut bindings = BTreeMap::new();
    for item in raw {
        let Some((name, value)) = item.split_once('=') else {
            bail!("invalid binding `{item}`: write it as NAME=VALUE");
        };
        if name.is_empty() {
            bail!("invalid binding `{item}`: the name before `=` is empty");
        }
        bindings.insert(name.to_string(), value.to_string());
    }
    Ok(bindings)
}

/// Reads the scripts and builds one spec per worker, with the replicas named NAME-1 ... NAME-N.
fn worker_specs(args: &ServeArgs) -> anyhow::Result<Vec<WorkerSpec>> {
    if args.replicas == 0 {
        bail!("invalid --replicas 0: register each script at least once");
    }
    let bindings = parse_bindings(&args.bindings)?;
    let mut limits = Limits::default();
    if let Some(cpu_ms) = args.cpu_ms {
        limits.cpu_ms = cpu_ms;
    }
    if let Some(memory_mb) = args.memory_mb {
        limits.memory_mb = memory_mb;
    }

    let mut specs: Vec<WorkerSpec> = Vec::new();
    for path in &args.scripts {
        let script = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read worker script `{}`", path.display()))?;
        let (syntax, reason) = match args.syntax {
            Some(syntax) => (syntax, "set by --syntax"),
            None => Syntax::detect(&script),
        };
        let stem = path.file_stem().map_or_else(
            || "worker".to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        tracing::info!(worker = %stem, %syntax, "{syntax} syntax: {reason}");

        let names: Vec<String> = if args.replicas == 1 {
            vec![stem.clone()]
        } else {
            (1..=args.replicas).map(|i| format!("{stem}-{i}")).collect()
        };
        for name in names {
            if specs.iter().any(|spec| spec.name == name) {
                bail!(
                    "two scripts are both named `{name}`: rename one, since the name routes requests"
                );
            }
            specs.push(WorkerSpec {
                name,
                script: script.clone(),
                syntax: Some(syntax),
                bindings: bindings.clone(),
                limits: limits.clone(),
                instances: args.instances,
                routing: args.routing,
                origin: args.origin.clone(),
            });
        }
    }
    Ok(specs)
}

fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    let specs = worker_specs(&args)?;
    let names: Vec<String> = specs.iter().map(|spec| spec.name.clone()).collect();

    let mut config = RuntimeConfig::default();
    if let Some(threads) = args.threads {
        config.threads = threads;
    }
    config.idle_timeout = args.idle_timeout_ms.map(std::time::Duration::from_millis);
    config.memory_budget = args.memory_budget_mb.map(|mb| mb << 20);
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    tokio.block_on(async move {
        let runtime = Runtime::new(config)?;
        for spec in specs {
            runtime.add_worker(spec).await?;
        }
        let address = std::net::SocketAddr::new(args.host, args.port);
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("failed to listen on {address}: pick another --port"))?;
        let local = listener.local_addr()?;
        if names.len() > 1 {
            tracing::info!(workers = names.len(), first = %names[0], "routing by Host: send Host NAME.localhost");
        }
        tracing::info!("listening on http://{local}");
        let options = ServeOptions {
            max_body_bytes: args.max_body_bytes,
            max_header_bytes: args.max_header_bytes,
            header_read_timeout: std::time::Duration::from_millis(args.header_timeout_ms),
            shutdown_grace: std::time::Duration::from_millis(args.shutdown_grace_ms),
            allow_self_fetch: args.allow_self_fetch,
        };
        let router = if names.len() == 1 {
            WorkerRouter::single(names[0].clone())
        } else {
            WorkerRouter::by_host(names)
        };
        serve_workers_until(listener, runtime, router, options, shutdown_signal())
            .await
            .context("server stopped")?;
        Ok(())
    })
}

/// Completes on SIGTERM or Ctrl-C (SIGINT).
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => tracing::info!("received Ctrl-C"),
                    _ = terminate.recv() => tracing::info!("received SIGTERM"),
                }
            }
            Err(error) => {
                tracing::warn!(%error, "failed to listen for SIGTERM, stopping on Ctrl-C only");
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
        tracing::info!("received Ctrl-C");
    }
}
