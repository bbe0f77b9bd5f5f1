//! The machine a run measured: cores, memory, CPU, OS, toolchain and load, read from `/proc`,
//! `/etc/os-release` and `rustc --version`.

use serde::Serialize;

/// Description of the machine, for the report.
#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub memory_bytes: Option<u64>,
    pub cpu: Option<String>,
    pub os: Option<String>,
    pub kernel: Option<String>,
    pub rustc: Option<String>,
}

impl Machine {
    /// Reads the machine description; a fact that cannot be read is `None`.
    pub fn read() -> Machine {
        Machine {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_bytes: memory_bytes(),
            cpu: first_value("/proc/cpuinfo", "model name", ':'),
            os: first_value("/etc/os-release", "PRETTY_NAME", '=')
                .map(|name| name.trim_matches('"').to_string()),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .ok()
                .map(|text| text.trim().to_string()),
            rustc: rustc_version(),
        }
    }
}

/// Returns the 1, 5 and 15 minute load averages from `/proc/loadavg`.
pub fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut fields = text
        .split_whitespace()
        .map(|field| field.parse::<f64>().ok());
    Some([fields.next()??, fields.next()??, fields.next()??])
}

fn memory_bytes() -> Option<u64> {
    let kib = first_value("/proc/meminfo", "MemTotal", ':')?;
    let kib: u64 = kib.trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

/// Returns the trimmed value of the first `key<separator>value` line of a text file.
fn first_value(path: &str, key: &str, separator: char) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(separator)?;
        (name.trim() == key).then(|| value.trim().to_string())
    })
}

fn rustc_version() -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}
