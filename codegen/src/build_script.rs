//! The builder a crate's `build.rs` calls: generate from a spec into `OUT_DIR`, tell cargo
//! what to watch, and print the spec's problems as cargo errors and warnings.

use std::path::{Path, PathBuf};

use crate::{Error, Options};

/// Generates a poem-openapi server module from an OpenAPI document, for `build.rs`.
///
/// ```no_run
/// // in build.rs's `main`:
/// codegen::Generator::new("openapi/items.yaml")
///     .module("items_api")
///     .strict(true)
///     .run();
/// ```
///
/// and in the crate: `mod api { include!(concat!(env!("OUT_DIR"), "/items_api.rs")); }`.
/// `run` writes `OUT_DIR/<module>.rs` and a copy of the spec beside it (the generated
/// `DOCUMENT` embeds it with `include_str!`), prints `cargo::rerun-if-changed` for the spec,
/// each warning as `cargo::warning=` and each error as `cargo::error=`: on a bad spec
/// `cargo build` fails with the located problems, never with a panic from the build script.
#[derive(Debug, Clone)]
pub struct Generator {
    spec: PathBuf,
    module: Option<String>,
    options: Options,
}

impl Generator {
    /// Generates from the spec at `spec` (YAML or JSON), relative to the package root.
    pub fn new(spec: impl Into<PathBuf>) -> Self {
        Generator {
            spec: spec.into(),
            module: None,
            options: Options::default(),
        }
    }

    /// The file name, without `.rs`, written in `OUT_DIR`; by default the spec's file stem
    /// (`openapi/items.yaml` → `items.rs`).
    pub fn module(mut self, name: impl Into<String>) -> Self {
        self.module = Some(name.into());
        self
    }

    /// Strict mode: operations without the 400/413/415/401 responses the server answers on
    /// its own, and Rust name collisions, are errors instead of warnings.
    pub fn strict(mut self, strict: bool) -> Self {
        self.options.strict = strict;
        self
    }

    /// Error bodies of the spec's own shape (`{code, message}`, an envelope): answer the
    /// requests the server rejects with them, made by the `codegen_runtime::FromRejection`
    /// the crate implements for each such type (the compiler asks for exactly those). Off
    /// (the default), those operations answer rejections with RFC 9457 problem details and a
    /// warning says so. Strict mode turns it on.
    pub fn convert_rejections(mut self, convert: bool) -> Self {
        self.options.convert_rejections = convert;
        self
    }

    /// Operations (by operationId, or by generated method name for those without one) that
    /// get no handler method; they answer 501 problem+json. For vendor specs whose every
    /// operation you do not mean to serve.
    pub fn skip<I, S>(mut self, operations: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.options
            .skip
            .extend(operations.into_iter().map(Into::into));
        self
    }

    /// Runs in a build script: generates into `OUT_DIR` and reports to cargo. Returns whether
    /// it succeeded (cargo already fails the build on an error line; the value is for callers
    /// that generate several specs and want to stop early).
    pub fn run(&self) -> bool {
        let Some(out_dir) = std::env::var_os("OUT_DIR") else {
            println!("cargo::error=OUT_DIR is not set; run the generator from a build script");
            return false;
        };
        println!("cargo::rerun-if-changed={}", self.spec.display());
        match self.write_to(Path::new(&out_dir)) {
            Ok(warnings) => {
                for line in warnings.lines() {
                    println!("cargo::warning={line}");
                }
                true
            }
            Err(lines) => {
                for line in lines.lines() {
                    println!("cargo::error={line}");
                }
                false
            }
        }
    }

    /// Generates into `dir`: `<module>.rs` and the spec copy it includes. Returns the warnings
    /// as text, or the errors (and warnings) as text.
    pub fn write_to(&self, dir: &Path) -> Result<String, String> {
        let name = self.spec.display().to_string();
        let text = crate::load::read(&self.spec, &name).map_err(|r| r.to_string())?;
        let module = self.module.clone().unwrap_or_else(|| {
            let stem = self.spec.file_stem().unwrap_or_default().to_string_lossy();
            crate::naming::snake_case(&stem)
        });
        let extension = if crate::load::is_json(&text) {
            "json"
        } else {
            "yaml"
        };
        let document = format!("{module}.{extension}");
        let options = Options {
            document: Some(document.clone()),
            ..self.options.clone()
        };
        let out = dir.join(format!("{module}.rs"));
        let write = |path: &Path, text: &str| {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        };
        match crate::generate_with(&options, &name, &text) {
            Ok(generated) => {
                write(&dir.join(&document), &text)?;
                write(&out, &generated.code)?;
                Ok(if generated.warnings.items.is_empty() {
                    String::new()
                } else {
                    generated.warnings.to_string()
                })
            }
            Err(Error::Bug { message, raw }) => {
                // Keep the unformatted text so the bug can be inspected.
                let _ = write(&out, &raw);
                Err(format!(
                    "codegen bug: generated code does not parse: {message}\nthe unformatted output is in {}",
                    out.display()
                ))
            }
            Err(e) => Err(e.to_string()),
        }
    }
}
