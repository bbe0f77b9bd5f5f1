//! Worker and runtime configuration: what a worker is made of and the limits it runs under.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The two script syntaxes that Workers accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Syntax {
    /// An ES module whose default export has a `fetch(request, env, ctx)` method.
    Module,
    /// A classic script that calls `addEventListener('fetch', listener)`.
    ServiceWorker,
}

impl Syntax {
    /// Returns the name used on the command line and in trial names.
    pub fn as_str(self) -> &'static str {
        match self {
            Syntax::Module => "module",
            Syntax::ServiceWorker => "service-worker",
        }
    }

    /// Guesses the syntax of a script from its source text.
    ///
    /// A script with an `export` or `import` statement is a module; anything else is treated as
    /// a service worker. The second value explains the choice for logs. The check reads
    /// statements at the start of a line or after `;` or `}`, so an `export` inside a string on
    /// such a position can mislead it; `--syntax` settles any doubt.
    pub fn detect(source: &str) -> (Syntax, &'static str) {
        let statement = regex::Regex::new(
            r#"(?m)(^|[;}])\s*(export\s*(default\b|\{|\*|async\b|function\b|const\b|let\b|var\b|class\b)|import\s*(\{|\*|"|'|[A-Za-z_$]))"#,
        )
        .expect("module statement pattern is valid");
        if statement.is_match(source) {
            (
                Syntax::Module,
                "the script has an export or import statement",
            )
        } else if source.contains("addEventListener") {
            (
                Syntax::ServiceWorker,
                "the script calls addEventListener and exports nothing",
            )
        } else {
            (
                Syntax::ServiceWorker,
                "the script exports nothing, so it runs as a service worker",
            )
        }
    }
}

impl fmt::Display for Syntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Syntax;

    #[test]
    fn detect_finds_module_statements() {
        let modules = [
            "export default { fetch() {} };",
            "throw new Error('x'); export default {}",
            "import { x } from './x.js';\naddEventListener('fetch', () => {});",
            "const a = 1;\nexport const b = 2;",
            "  export { a as default };",
        ];
        for script in modules {
            assert_eq!(Syntax::detect(script).0, Syntax::Module, "{script}");
        }
    }

    #[test]
    fn detect_defaults_to_service_worker() {
        let workers = [
            "addEventListener('fetch', (e) => e.respondWith(new Response('x')));",
            "const exported = 1; addEventListener('fetch', () => {});",
            "// export default is only mentioned here\naddEventListener('fetch', () => {});",
        ];
        for script in workers {
            assert_eq!(Syntax::detect(script).0, Syntax::ServiceWorker, "{script}");
        }
    }
}

impl FromStr for Syntax {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "module" => Ok(Syntax::Module),
            "service-worker" | "sw" => Ok(Syntax::ServiceWorker),
            other => Err(format!(
                "unknown syntax `{other}`: use `module` or `service-worker`"
            )),
        }
    }
}

/// Per-worker resource limits. The defaults are the documented defaults of the Workers Paid plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// CPU time one request may use, in milliseconds (Workers Paid: 30,000).
    pub cpu_ms: u64,
    /// Heap size of one isolate, in MiB (Workers: 128).
    pub memory_mb: u64,
    /// CPU time the global scope may use at startup, in milliseconds (Workers: 1000).
    pub startup_cpu_ms: u64,
    /// Outbound `fetch()` calls one request may make (Workers Paid: 10,000).
    pub subrequests: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            cpu_ms: 30_000,
            memory_mb: 128,
            startup_cpu_ms: 1_000,
            subrequests: 10_000,
        }
    }
}

impl Limits {
    /// Returns the CPU budget of one request.
    pub fn cpu(&self) -> Duration {
        Duration::from_millis(self.cpu_ms)
    }

    /// Returns the CPU budget of the global scope.
    pub fn startup_cpu(&self) -> Duration {
        Duration::from_millis(self.startup_cpu_ms)
    }
}

/// Routing policy that picks an instance of a worker with several instances.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "policy")]
pub enum Routing {
    /// Each request goes to the next instance in turn.
    #[default]
    RoundRobin,
    /// Each request goes to an instance drawn from a seeded generator, so runs repeat.
    Random {
        /// Seed of the generator.
        seed: u64,
    },
    /// Every request goes to the first instance, as a single-instance worker would.
    Sticky,
}

impl FromStr for Routing {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "round-robin" => Ok(Routing::RoundRobin),
            "sticky" => Ok(Routing::Sticky),
            other => match other.strip_prefix("random:").map(str::parse) {
                Some(Ok(seed)) => Ok(Routing::Random { seed }),
                _ => Err(format!(
                    "unknown routing `{other}`: use `round-robin`, `sticky` or `random:SEED` \
                     with an integer seed"
                )),
            },
        }
    }
}

/// Everything needed to start isolates for one worker.
#[derive(Clone, Debug)]
pub struct WorkerSpec {
    /// Name used in logs and to address the worker.
    pub name: String,
    /// Source text of the script.
    pub script: String,
    /// Syntax of the script; `None` detects it with [`Syntax::detect`].
    pub syntax: Option<Syntax>,
    /// Text bindings: `env.NAME` in a module, the global `NAME` in a service worker.
    pub bindings: BTreeMap<String, String>,
    /// Resource limits of each isolate of this worker.
    pub limits: Limits,
    /// Number of isolates that serve this worker at once (at least 1).
    pub instances: usize,
    /// Policy that picks one of the instances for each request.
    pub routing: Routing,
    /// Where a request goes when the worker passes it through: a service worker that never
    /// calls `respondWith`, or an exception after `passThroughOnException()`.
    pub origin: Option<url::Url>,
}

impl WorkerSpec {
    /// Creates a spec with one instance, default limits and no bindings.
    pub fn new(name: impl Into<String>, script: impl Into<String>) -> Self {
        WorkerSpec {
            name: name.into(),
            script: script.into(),
            syntax: None,
            bindings: BTreeMap::new(),
            limits: Limits::default(),
            instances: 1,
            routing: Routing::default(),
            origin: None,
        }
    }

    /// Sets the syntax instead of detecting it.
    pub fn with_syntax(mut self, syntax: Syntax) -> Self {
        self.syntax = Some(syntax);
        self
    }

    /// Adds a text binding.
    pub fn with_binding(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.bindings.insert(name.into(), value.into());
        self
    }

    /// Returns the given syntax, or the detected one.
    pub fn resolved_syntax(&self) -> Syntax {
        self.syntax
            .unwrap_or_else(|| Syntax::detect(&self.script).0)
    }
}

/// Process-wide settings of a [`crate::Runtime`].
#[derive(Clone, Debug)]
pub struct RuntimeConfig {
    /// OS threads that run isolates; each isolate stays on one of them.
    pub threads: usize,
    /// Maximum time `waitUntil` tasks may run after the response (Workers: 30 s).
    pub wait_until_limit: Duration,
    /// An isolate that serves no request for this long is evicted; `None` keeps idle isolates
    /// for ever, as standalone workerd does.
    pub idle_timeout: Option<Duration>,
    /// Process-wide budget for the heaps of all isolates, in bytes. Past it, the least recently
    /// used isolates are evicted until the total fits; `None` sets no budget.
    pub memory_budget: Option<usize>,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            wait_until_limit: Duration::from_secs(30),
            idle_timeout: None,
            memory_budget: None,
        }
    }
}
