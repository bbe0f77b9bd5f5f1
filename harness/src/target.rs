//! Targets: the runtimes that cases run against, and the sessions that serve one trial each.
//!
//! A new runtime profile is a [`profile::Profile`] with a launch function in `profile/`. A new
//! kind of target is a module here that implements [`Target`] and [`Session`], plus a name in
//! [`TargetSpec`].

pub mod exec;
pub mod http;
mod launched;
mod process;
pub mod profile;
pub mod reference;

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use edgecase_runtime::Syntax;

use crate::capability::{self, Capability};
use crate::case::Case;
use crate::error::Error;
use crate::response::Response;
use profile::{Profile, SyntaxSupport};

/// A runtime that can start the worker of a case.
#[async_trait]
pub trait Target: Send + Sync {
    /// Returns the name that reports use, such as `reference` or the URL template.
    fn name(&self) -> &str;

    /// Returns the capabilities of this target.
    fn capabilities(&self) -> &BTreeSet<Capability>;

    /// Returns the version of the runtime, as reports show it, such as `workerd 2026-11-23`.
    fn version(&self) -> String {
        "unknown version".into()
    }

    /// Starts the case's worker in one syntax and returns the session that serves the trial.
    async fn start(&self, case: &Case, syntax: Syntax) -> Result<Box<dyn Session>, Error>;
}

/// One started worker, serving the steps of one trial.
///
/// Dropping a session without [`Session::close`], as a panicking trial does, still releases
/// what it holds, such as a server process.
#[async_trait]
pub trait Session: Send + Sync {
    /// Sends a request whose URI is a path and query, and reads the whole response.
    async fn send(&self, request: ::http::Request<Bytes>) -> Result<Response, Error>;

    /// Drops the worker's isolates, so that the next request starts a fresh one.
    async fn evict(&mut self) -> Result<(), Error>;

    /// Stops the worker and releases what the session holds.
    async fn close(self: Box<Self>) -> Result<(), Error>;

    /// Returns what the worker's server printed so far, for a session that launched one.
    fn output(&self) -> Option<String> {
        None
    }
}

/// Which target to run against, as `EDGECASE_TARGET` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetSpec {
    /// The reference runtime in this process.
    Reference,
    /// The `edgecase-runtime` binary, started once per trial.
    ExecReference,
    /// A real runtime, started once per trial with its launch profile.
    Profile(Profile),
    /// A server that is already running, at a URL template that may contain `{case}` and
    /// `{syntax}`.
    Url {
        /// The template.
        template: String,
        /// The capabilities given in `EDGECASE_CAPABILITIES`.
        capabilities: BTreeSet<Capability>,
    },
}

impl TargetSpec {
    /// Parses the values of `EDGECASE_TARGET` and `EDGECASE_CAPABILITIES`.
    ///
    /// An empty or missing target is the reference runtime. Capabilities may be given only for a
    /// URL, because the other targets declare their own.
    pub fn parse(target: Option<&str>, capabilities: Option<&str>) -> Result<TargetSpec, Error> {
        let target = target.unwrap_or("").trim();
        let spec = match target {
            "" | "reference" => TargetSpec::Reference,
            "exec:reference" => TargetSpec::ExecReference,
            name if name.starts_with("exec:") => {
                let profile =
                    name["exec:".len()..]
                        .parse()
                        .map_err(|reason| Error::InvalidSetting {
                            name: "EDGECASE_TARGET",
                            value: name.to_string(),
                            reason,
                        })?;
                TargetSpec::Profile(profile)
            }
            url if url.starts_with("http://") || url.starts_with("https://") => {
                http::validate_template(url).map_err(|reason| Error::InvalidSetting {
                    name: "EDGECASE_TARGET",
                    value: url.to_string(),
                    reason,
                })?;
                let capabilities =
                    capability::parse_list(capabilities.unwrap_or("")).map_err(|reason| {
                        Error::InvalidSetting {
                            name: "EDGECASE_CAPABILITIES",
                            value: capabilities.unwrap_or("").to_string(),
                            reason,
                        }
                    })?;
                return Ok(TargetSpec::Url {
                    template: url.to_string(),
                    capabilities,
                });
            }
            other => {
                return Err(Error::InvalidSetting {
                    name: "EDGECASE_TARGET",
                    value: other.to_string(),
                    reason: "unknown target: use `reference`, `exec:reference`, `exec:workerd`, \
                             `exec:wrangler`, `exec:deno`, `exec:bun`, `exec:edge-runtime`, or an \
                             http:// or https:// URL"
                        .into(),
                });
            }
        };

        if let Some(list) = capabilities.filter(|list| !list.trim().is_empty()) {
            return Err(Error::InvalidSetting {
                name: "EDGECASE_CAPABILITIES",
                value: list.to_string(),
                reason: format!(
                    "capabilities apply only to URL targets, and target `{}` declares its own: \
                     unset EDGECASE_CAPABILITIES",
                    spec.name()
                ),
            });
        }
        Ok(spec)
    }

    /// Returns the name that reports use.
    pub fn name(&self) -> String {
        match self {
            TargetSpec::Reference => "reference".into(),
            TargetSpec::ExecReference => "exec:reference".into(),
            TargetSpec::Profile(profile) => format!("exec:{profile}"),
            TargetSpec::Url { template, .. } => template.clone(),
        }
    }

    /// Returns the name of the target's expectations file, `conformance/expectations/NAME.json`:
    /// `reference` for both reference targets, the profile name for a real runtime, and `None`
    /// for a URL target.
    pub fn expectations_name(&self) -> Option<&'static str> {
        match self {
            TargetSpec::Reference | TargetSpec::ExecReference => Some("reference"),
            TargetSpec::Profile(profile) => Some(profile.as_str()),
            TargetSpec::Url { .. } => None,
        }
    }

    /// Returns the directory name of the target's snapshots under `conformance/snapshots`:
    /// `reference` for both reference targets, the profile name for a real runtime, and `url`
    /// for a URL target.
    pub fn snapshot_name(&self) -> &'static str {
        self.expectations_name().unwrap_or("url")
    }

    /// Returns the target's name as a file name, such as `exec-workerd`.
    pub fn file_name(&self) -> String {
        match self {
            TargetSpec::Url { .. } => "url".into(),
            other => other.name().replace(':', "-"),
        }
    }

    /// Returns why trials in `syntax` are ignored on this target, or `None` when it runs them.
    pub fn unsupported_syntax(&self, syntax: Syntax) -> Option<&'static str> {
        match self {
            TargetSpec::Profile(profile) => match profile.syntax_support(syntax) {
                SyntaxSupport::Unsupported(reason) => Some(reason),
                SyntaxSupport::Native | SyntaxSupport::Shim(_) => None,
            },
            _ => None,
        }
    }

    /// Returns the capabilities of the target without starting it.
    pub fn capabilities(&self) -> BTreeSet<Capability> {
        match self {
            TargetSpec::Reference => reference::CAPABILITIES.into_iter().collect(),
            TargetSpec::ExecReference => exec::CAPABILITIES.into_iter().collect(),
            TargetSpec::Profile(profile) => profile.capabilities(),
            TargetSpec::Url { capabilities, .. } => capabilities.clone(),
        }
    }

    /// Opens the target: starts the reference runtime, or finds the binary to launch.
    pub fn open(&self) -> Result<Arc<dyn Target>, Error> {
        Ok(match self {
            TargetSpec::Reference => Arc::new(reference::ReferenceTarget::new()?),
            TargetSpec::ExecReference => {
                Arc::new(exec::ExecTarget::new(exec::find_runtime_binary()?))
            }
            TargetSpec::Profile(profile) => Arc::new(profile::ProfileTarget::open(*profile)?),
            TargetSpec::Url {
                template,
                capabilities,
            } => Arc::new(http::HttpTarget::new(template, capabilities.clone())?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_target_is_reference() {
        assert_eq!(
            TargetSpec::parse(None, None).unwrap(),
            TargetSpec::Reference
        );
        assert_eq!(
            TargetSpec::parse(Some(""), None).unwrap(),
            TargetSpec::Reference
        );
        assert_eq!(
            TargetSpec::parse(Some("reference"), None).unwrap(),
            TargetSpec::Reference
        );
    }

    #[test]
    fn exec_reference_parses() {
        assert_eq!(
            TargetSpec::parse(Some("exec:reference"), None).unwrap(),
            TargetSpec::ExecReference
        );
    }

    #[test]
    fn url_takes_capabilities() {
        let spec = TargetSpec::parse(
            Some("http://127.0.0.1:8787/{case}"),
            Some("eviction,single-instance"),
        )
        .unwrap();

        assert_eq!(
            spec.capabilities(),
            BTreeSet::from([Capability::SingleInstance, Capability::Eviction])
        );
        assert_eq!(spec.name(), "http://127.0.0.1:8787/{case}");
    }

    #[test]
    fn url_defaults_to_no_capabilities() {
        let spec = TargetSpec::parse(Some("https://example.test"), None).unwrap();

        assert!(spec.capabilities().is_empty());
    }

    #[test]
    fn unknown_target_is_rejected() {
        let error = TargetSpec::parse(Some("workerd"), None).unwrap_err();

        assert_eq!(
            error.to_string(),
            "invalid EDGECASE_TARGET=`workerd`: unknown target: use `reference`, \
             `exec:reference`, `exec:workerd`, `exec:wrangler`, `exec:deno`, `exec:bun`, \
             `exec:edge-runtime`, or an http:// or https:// URL"
        );
    }

    #[test]
    fn exec_profile_parses() {
        let spec = TargetSpec::parse(Some("exec:workerd"), None).unwrap();

        assert_eq!(spec, TargetSpec::Profile(Profile::Workerd));
        assert_eq!(spec.name(), "exec:workerd");
        assert_eq!(spec.expectations_name(), Some("workerd"));
    }

    #[test]
    fn unknown_profile_is_rejected() {
        let error = TargetSpec::parse(Some("exec:node"), None).unwrap_err();

        assert!(
            error
                .to_string()
                .starts_with("invalid EDGECASE_TARGET=`exec:node`: unknown profile `node`"),
            "{error}"
        );
    }

    #[test]
    fn reference_targets_share_expectations() {
        assert_eq!(TargetSpec::Reference.expectations_name(), Some("reference"));
        assert_eq!(
            TargetSpec::ExecReference.expectations_name(),
            Some("reference")
        );
    }

    #[test]
    fn capabilities_need_url_target() {
        let error = TargetSpec::parse(Some("reference"), Some("origin")).unwrap_err();

        assert!(
            error
                .to_string()
                .contains("capabilities apply only to URL targets"),
            "{error}"
        );
    }

    #[test]
    fn unknown_capability_is_rejected() {
        let error = TargetSpec::parse(Some("http://127.0.0.1:1"), Some("fast")).unwrap_err();

        assert!(
            error
                .to_string()
                .starts_with("invalid EDGECASE_CAPABILITIES=`fast`: unknown capability `fast`"),
            "{error}"
        );
    }

    #[test]
    fn reference_capabilities_include_origin() {
        let capabilities = TargetSpec::Reference.capabilities();

        assert!(capabilities.contains(&Capability::Eviction));
        assert!(capabilities.contains(&Capability::Origin));
    }

    #[test]
    fn url_target_has_only_given_capabilities() {
        let spec = TargetSpec::parse(Some("http://127.0.0.1:1/"), Some("eviction")).unwrap();
        let capabilities = spec.capabilities();

        assert!(capabilities.contains(&Capability::Eviction));
        assert!(!capabilities.contains(&Capability::Origin));
    }
}
