//! Finding case files, parsing them, and reading the scripts they name.
//!
//! A file that fails to load becomes a [`BrokenCase`], so that it fails its own trials while the
//! other cases run.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use edgecase_runtime::{Routing, Syntax};
use serde::Deserialize;

use crate::capability::Capability;
use crate::case::{Case, LimitOverrides, Worker};
use crate::error::Error;
use crate::step::Step;
use crate::workspace;

/// The result of loading one case file.
#[derive(Debug)]
pub enum Loaded {
    /// The file is a valid case.
    Case(Box<Case>),
    /// The file could not be loaded.
    Broken(BrokenCase),
}

/// A case file that could not be loaded, with what is known of the trials it would have had.
#[derive(Debug)]
pub struct BrokenCase {
    /// The case id, from the file's path.
    pub id: String,
    /// The case file, as reports show it.
    pub file: PathBuf,
    /// The syntaxes the file has a script key for, or none when even that is unknown.
    pub syntaxes: Vec<Syntax>,
    /// The load error.
    pub error: Error,
}

impl Loaded {
    /// Returns the case id.
    pub fn id(&self) -> &str {
        match self {
            Loaded::Case(case) => &case.id,
            Loaded::Broken(broken) => &broken.id,
        }
    }

    /// Returns the case file, as reports show it.
    pub fn file(&self) -> &Path {
        match self {
            Loaded::Case(case) => &case.file,
            Loaded::Broken(broken) => &broken.file,
        }
    }
}

/// A script as a case file gives it.
#[derive(Debug)]
pub(crate) enum ScriptRef {
    /// The source text itself.
    Inline(String),
    /// A path relative to the case file.
    File(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseDocument {
    #[serde(deserialize_with = "crate::de::non_empty")]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    requires: Vec<Capability>,
    #[serde(deserialize_with = "crate::de::object")]
    worker: WorkerDocument,
    #[serde(deserialize_with = "crate::de::steps")]
    steps: Vec<Step>,
    /// A schema reference for editors. The loader ignores its value.
    #[serde(rename = "$schema", default, deserialize_with = "crate::de::some")]
    #[allow(dead_code, reason = "read only so that the field is allowed")]
    schema: Option<String>,
}

#[derive(Deserialize)]
#[serde(try_from = "WorkerFields")]
struct WorkerDocument(WorkerFields);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkerFields {
    #[serde(default, deserialize_with = "crate::de::some")]
    module: Option<ScriptRef>,
    #[serde(
        rename = "service-worker",
        default,
        deserialize_with = "crate::de::some"
    )]
    service_worker: Option<ScriptRef>,
    #[serde(default, deserialize_with = "crate::de::bindings")]
    bindings: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "crate::de::object")]
    limits: LimitOverrides,
    #[serde(default, deserialize_with = "crate::de::instances")]
    instances: Option<usize>,
    #[serde(default, deserialize_with = "crate::de::routing")]
    routing: Option<Routing>,
}

impl crate::de::ObjectKind for CaseDocument {
    const EXPECTING: &'static str = "a case object with `title`, `worker` and `steps`";
}

impl crate::de::ObjectKind for WorkerDocument {
    const EXPECTING: &'static str = "a worker object with `module`, `service-worker` or both";
}

impl TryFrom<WorkerFields> for WorkerDocument {
    type Error = &'static str;

    fn try_from(fields: WorkerFields) -> Result<Self, Self::Error> {
        if fields.module.is_none() && fields.service_worker.is_none() {
            return Err("a worker needs a `module` script, a `service-worker` script or both");
        }
        Ok(WorkerDocument(fields))
    }
}

/// Loads every case under each directory, in directory order and then by path.
///
/// Only a directory that cannot be listed is an error. Each broken file becomes a
/// [`Loaded::Broken`], and so does a case whose id an earlier directory already has.
pub fn load_dirs(dirs: &[PathBuf]) -> Result<Vec<Loaded>, Error> {
    let mut loaded: Vec<Loaded> = Vec::new();
    let mut first_file: HashMap<String, PathBuf> = HashMap::new();

    for dir in dirs {
        for item in load_dir(dir)? {
            let id = item.id().to_string();
            if let Some(first) = first_file.get(&id) {
                loaded.push(Loaded::Broken(BrokenCase {
                    error: Error::DuplicateCase {
                        id: id.clone(),
                        file: item.file().to_path_buf(),
                        first: first.clone(),
                    },
                    id,
                    file: item.file().to_path_buf(),
                    syntaxes: match &item {
                        Loaded::Case(case) => case.syntaxes(),
                        Loaded::Broken(broken) => broken.syntaxes.clone(),
                    },
                }));
                continue;
            }
            first_file.insert(id, item.file().to_path_buf());
            loaded.push(item);
        }
    }
    Ok(loaded)
}

/// Loads every `*.json` file under `dir`, recursively, sorted by path. Entries whose names start
/// with `.` are skipped.
pub fn load_dir(dir: &Path) -> Result<Vec<Loaded>, Error> {
    let mut files = Vec::new();
    collect_json_files(dir, &mut files).map_err(|source| Error::CasesDir {
        dir: workspace::display_path(dir),
        source,
    })?;
    files.sort();
    Ok(files.iter().map(|file| load_file(dir, file)).collect())
}

fn collect_json_files(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            collect_json_files(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "json") {
            files.push(path);
        }
    }
    Ok(())
}

/// Returns the id of a case file: its path relative to `dir`, with `/` between directories and
/// without `.json`.
pub fn case_id(dir: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(dir).unwrap_or(file).with_extension("");
    let parts: Vec<String> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Loads one case file, whose id is its path relative to the cases directory `dir`.
pub fn load_file(dir: &Path, file: &Path) -> Loaded {
    let id = case_id(dir, file);
    let display_file = workspace::display_path(file);
    let broken = |error: Error, syntaxes: Vec<Syntax>| {
        Loaded::Broken(BrokenCase {
            id: id.clone(),
            file: display_file.clone(),
            syntaxes,
            error,
        })
    };

    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(source) => {
            return broken(
                Error::ReadCase {
                    file: display_file.clone(),
                    source,
                },
                Vec::new(),
            );
        }
    };
    let script_dir = file.parent().unwrap_or(Path::new("."));
    match parse_case(&id, &display_file, &text, script_dir) {
        Ok(case) => Loaded::Case(Box::new(case)),
        Err(error) => broken(error, declared_syntaxes(&text)),
    }
}

/// Parses the text of a case file and reads the scripts it names, relative to `script_dir`.
///
/// `file` is the path that errors name.
pub fn parse_case(id: &str, file: &Path, text: &str, script_dir: &Path) -> Result<Case, Error> {
    let document = parse_document(file, text)?;
    let WorkerDocument(worker) = document.worker;

    let module = worker
        .module
        .map(|script| read_script(file, "worker.module", script, script_dir))
        .transpose()?;
    let service_worker = worker
        .service_worker
        .map(|script| read_script(file, "worker.service-worker", script, script_dir))
        .transpose()?;

    Ok(Case {
        id: id.to_string(),
        file: file.to_path_buf(),
        title: document.title,
        description: document.description,
        tags: document.tags,
        requires: document.requires,
        worker: Worker {
            module,
            service_worker,
            bindings: worker.bindings,
            limits: worker.limits,
            instances: worker.instances,
            routing: worker.routing,
        },
        steps: document.steps,
    })
}

fn parse_document(file: &Path, text: &str) -> Result<CaseDocument, Error> {
    let syntax_error = |error: &serde_json::Error| Error::Syntax {
        file: file.to_path_buf(),
        message: error.to_string(),
    };

    let mut deserializer = serde_json::Deserializer::from_str(text);
    let crate::de::Object(document) =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                return syntax_error(&inner);
            }
            let message = without_position(&inner);
            Error::InvalidCase {
                file: file.to_path_buf(),
                path: object_path(&path, &message),
                message,
            }
        })?;
    deserializer.end().map_err(|error| syntax_error(&error))?;
    Ok(document)
}

/// Returns the path of the object that contains the invalid value.
///
/// For an unknown field, serde_path_to_error ends the path with the field itself, but the
/// message already names it, and the object is where the field was not expected.
fn object_path(path: &str, message: &str) -> String {
    let path = if path == "." { "" } else { path };
    let unknown = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| field);
    let Some(field) = unknown else {
        return path.to_string();
    };
    if path == field {
        String::new()
    } else {
        path.strip_suffix(&format!(".{field}"))
            .unwrap_or(path)
            .to_string()
    }
}

/// Returns a data error's message without the ` at line L column C` that serde_json appends,
/// because the JSON path already locates the value.
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&suffix) {
        Some(stripped) => stripped.to_string(),
        None => message,
    }
}

fn read_script(
    file: &Path,
    path: &str,
    script: ScriptRef,
    script_dir: &Path,
) -> Result<String, Error> {
    match script {
        ScriptRef::Inline(source) => Ok(source),
        ScriptRef::File(name) => {
            let script = script_dir.join(&name);
            std::fs::read_to_string(&script).map_err(|source| Error::ReadScript {
                file: file.to_path_buf(),
                path: format!("{path}.file"),
                script: workspace::display_path(&script),
                source,
            })
        }
    }
}

/// Returns the syntaxes whose keys a broken file's `worker` has, so that its trials keep their
/// names. The list is empty when the file is not a JSON object with a `worker` object.
fn declared_syntaxes(text: &str) -> Vec<Syntax> {
    let Ok(serde_json::Value::Object(document)) = serde_json::from_str(text) else {
        return Vec::new();
    };
    let Some(serde_json::Value::Object(worker)) = document.get("worker") else {
        return Vec::new();
    };
    [Syntax::Module, Syntax::ServiceWorker]
        .into_iter()
        .filter(|syntax| worker.contains_key(syntax.as_str()))
        .collect()
}

#[cfg(test)]
mod tests;
