//! codegen: OpenAPI 3.0 → poem-openapi Rust, for `build.rs` and the `codegen` CLI.
//!
//! ```text
//! load     path → YAML value → shape check → openapiv3::OpenAPI   (syntax, unknown keys, types)
//! resolve  OpenAPI → ir::Api                                       (every semantic problem, at once)
//! render   ir::Api → Rust text, via askama templates               (no decisions left)
//! format   Rust text → syn → prettyplease, plus the header         (proves the output parses)
//! ```
//!
//! Problems in the user's spec are [`Diagnostic`]s, collected from every stage and reported
//! together with file, line, column and JSON pointer; our own failures are [`Error`]s. This
//! crate has no dependency on poem: it produces text, the server crate compiles it.
#![deny(missing_docs)]

pub mod diagnostic;
pub mod format;
pub mod ir;
pub mod load;
pub mod naming;
pub mod render;
pub mod resolve;
mod shape;
pub mod source;

use std::fmt;
use std::path::Path;

pub use diagnostic::{Diagnostic, Report};

/// Why generation failed.
#[derive(Debug)]
pub enum Error {
    /// The spec has problems; the report lists them all.
    Spec(Report),
    /// The generator produced something it could not render or parse: a bug in codegen. The
    /// unformatted text is kept for inspection.
    Bug {
        /// What failed.
        message: String,
        /// The text as rendered, before formatting.
        raw: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Spec(report) => write!(f, "{report}"),
            Error::Bug { message, .. } => write!(
                f,
                "codegen bug: the generated code does not parse ({message}); please report it with the spec"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Checks the spec at `path` (shown as `name` in messages) and returns its IR.
pub fn check(path: &Path, name: &str) -> Result<ir::Api, Report> {
    let (loaded, diags) = load::load_file(path, name)?;
    finish(loaded, diags)
}

/// Checks spec text (shown as `name` in messages) and returns its IR.
pub fn check_str(name: &str, text: &str) -> Result<ir::Api, Report> {
    let (loaded, diags) = load::load_str(name, text)?;
    finish(loaded, diags)
}

fn finish(loaded: load::Loaded, mut diags: diagnostic::Diagnostics) -> Result<ir::Api, Report> {
    let api = resolve::resolve(&loaded, &mut diags);
    if diags.is_empty() {
        Ok(api)
    } else {
        Err(diags.finish(Some(&loaded.source)))
    }
}

/// Generates formatted Rust for the spec at `path`, shown as `name` in messages and headers.
pub fn generate(path: &Path, name: &str) -> Result<String, Error> {
    let api = check(path, name).map_err(Error::Spec)?;
    emit(&api)
}

/// Generates formatted Rust for spec text.
pub fn generate_str(name: &str, text: &str) -> Result<String, Error> {
    let api = check_str(name, text).map_err(Error::Spec)?;
    emit(&api)
}

fn emit(api: &ir::Api) -> Result<String, Error> {
    let raw = render::render(api).map_err(|e| Error::Bug {
        message: format!("template: {e}"),
        raw: String::new(),
    })?;
    format::format(&api.source, &raw).map_err(|message| Error::Bug { message, raw })
}
