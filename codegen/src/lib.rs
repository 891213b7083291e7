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

mod build_script;
pub mod diagnostic;
pub mod diff;
mod format;
mod ir;
pub mod load;
mod naming;
mod render;
mod resolve;
mod shape;
mod source;
mod upgrade;

use std::fmt;
use std::path::Path;

pub use build_script::Generator;
pub use diagnostic::{Diagnostic, Report, Severity};

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

/// How to generate: the settings a user's `build.rs` chooses (see [`Generator`]).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Strict mode: what is only a warning by default (operations that declare no 400/413/415
    /// for the requests the server rejects, Rust names that collide) is an error.
    pub strict: bool,
    /// operationIds (or, for operations without one, their generated method names) that get
    /// no handler: they answer 501 and are listed when generating.
    pub skip: Vec<String>,
    /// Error bodies that are neither problem details nor FastAPI's: answer rejected requests
    /// with them, made by the `codegen_runtime::FromRejection` the crate implements for each
    /// such type (the compiler asks for exactly those). Off, such an operation's rejections
    /// are answered with problem details and a warning says so. Strict mode turns it on.
    pub convert_rejections: bool,
    /// Where the generated code finds the spec text it serves: a path for `include_str!`,
    /// relative to the generated file. `None` embeds the text itself in the output.
    pub document: Option<String>,
}

/// What generation produced.
#[derive(Debug)]
pub struct Generated {
    /// The formatted Rust.
    pub code: String,
    /// Warnings (never errors); empty when there are none.
    pub warnings: Report,
}

/// Checks the spec at `path` (shown as `name` in messages) and returns its IR.
pub fn check(path: &Path, name: &str) -> Result<ir::Api, Report> {
    let text = load::read(path, name)?;
    check_str(name, &text)
}

/// Checks spec text (shown as `name` in messages) with default options and returns its IR.
pub fn check_str(name: &str, text: &str) -> Result<ir::Api, Report> {
    check_with(&Options::default(), name, text).map(|(api, _)| api)
}

/// Checks spec text with `options`: its IR and the warnings, or every error and warning.
pub fn check_with(options: &Options, name: &str, text: &str) -> Result<(ir::Api, Report), Report> {
    let (loaded, mut diags) = load::load_str_with(name, text, options.strict)?;
    let api = resolve::resolve(&loaded, options, &mut diags);
    let ok = diags.is_empty();
    let report = diags.finish(Some(&loaded.source));
    if ok {
        Ok((api, report))
    } else {
        Err(report)
    }
}

/// Generates formatted Rust for the spec at `path`, shown as `name` in messages and headers.
pub fn generate(path: &Path, name: &str) -> Result<String, Error> {
    let text = load::read(path, name).map_err(Error::Spec)?;
    generate_str(name, &text)
}

/// Generates formatted Rust for spec text, with default options.
pub fn generate_str(name: &str, text: &str) -> Result<String, Error> {
    generate_with(&Options::default(), name, text).map(|g| g.code)
}

/// Generates formatted Rust for spec text with `options`.
pub fn generate_with(options: &Options, name: &str, text: &str) -> Result<Generated, Error> {
    let (api, warnings) = check_with(options, name, text).map_err(Error::Spec)?;
    let raw = render::render(&api, &document_expr(options, text)).map_err(|e| Error::Bug {
        message: format!("template: {e}"),
        raw: String::new(),
    })?;
    let code = format::format(&api.source, &raw).map_err(|message| Error::Bug { message, raw })?;
    Ok(Generated { code, warnings })
}

/// The Rust expression of the served document: `include_str!` of the file beside the
/// generated code, or the text itself as a raw string literal.
fn document_expr(options: &Options, text: &str) -> String {
    match &options.document {
        Some(path) => format!("::std::include_str!({path:?})"),
        None => crate::render::spelling::raw_literal(text),
    }
}
