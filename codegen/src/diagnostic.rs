//! Problems in the user's spec, and how they are shown.
//!
//! A [`Diagnostic`] names the place (a JSON pointer into the document, plus line and column
//! when the YAML tree knows them), what is wrong and what to do. Every stage pushes into one
//! [`Diagnostics`] collector instead of returning at the first problem, so a bad spec gets all
//! of its errors in one `cargo build`. Rendering sorts by position, so the output reads top
//! to bottom like the file and is the same on every run.
//!
//! The rendered form is one line of location and message, then one indented `help:` line:
//!
//! ```text
//! openapi/items.yaml:27:9: /paths/~1items/get/respones: unknown key `respones` in an operation
//!   help: did you mean `responses`?
//! ```
//!
//! `build.rs` prints each line as its own `cargo::error=` line.

use std::fmt;

use crate::source::Source;

/// Whether a problem stops generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The spec cannot be generated as written.
    Error,
    /// Generated anyway; the text says what the server does instead of what the spec might
    /// suggest (an error in strict mode, when the warning is one strictness governs).
    Warning,
}

/// One problem in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// JSON pointer (RFC 6901) to the offending node; empty for the whole document.
    pub pointer: String,
    /// 1-based line and column, when the position is known.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: String,
}

/// Collects diagnostics from every stage.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// Strict mode: [`Self::lenient`] problems are errors.
    strict: bool,
}

impl Diagnostics {
    /// A collector; in `strict` mode the problems reported through [`Self::lenient`] are
    /// errors instead of warnings.
    pub fn new(strict: bool) -> Self {
        Diagnostics {
            items: Vec::new(),
            strict,
        }
    }

    /// Records a problem at `pointer`; its position is looked up later, in [`Self::finish`].
    pub fn error(&mut self, pointer: &str, message: impl Into<String>, help: impl Into<String>) {
        self.push(Severity::Error, pointer, message.into(), help.into());
    }

    /// Records something generated differently from what a reader of the spec might expect.
    pub fn warn(&mut self, pointer: &str, message: impl Into<String>, help: impl Into<String>) {
        self.push(Severity::Warning, pointer, message.into(), help.into());
    }

    /// A warning by default, an error in strict mode: what an ordinary spec does (no declared
    /// 400, two names that collide in Rust) and a carefully kept one should not.
    pub fn lenient(&mut self, pointer: &str, message: impl Into<String>, help: impl Into<String>) {
        let severity = if self.strict {
            Severity::Error
        } else {
            Severity::Warning
        };
        self.push(severity, pointer, message.into(), help.into());
    }

    fn push(&mut self, severity: Severity, pointer: &str, message: String, help: String) {
        self.items.push(Diagnostic {
            severity,
            pointer: pointer.to_owned(),
            position: None,
            message,
            help,
        });
    }

    /// Records a problem whose position is known already (a YAML syntax error).
    pub fn error_at(&mut self, position: (usize, usize), message: String, help: String) {
        self.items.push(Diagnostic {
            severity: Severity::Error,
            pointer: String::new(),
            position: Some(position),
            message,
            help,
        });
    }

    /// True if no error was reported (warnings may have been).
    pub fn is_empty(&self) -> bool {
        !self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Locates every diagnostic in `source`, sorts them by position and drops exact repeats.
    pub fn finish(mut self, source: Option<&Source>) -> Report {
        if let Some(source) = source {
            for d in &mut self.items {
                if d.position.is_none() {
                    d.position = source.locate(&d.pointer);
                }
            }
        }
        let mut items = self.items;
        items.sort_by(|a, b| {
            let key = |d: &Diagnostic| (d.position.unwrap_or((usize::MAX, 0)), d.pointer.clone());
            key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
        });
        items.dedup();
        Report {
            file: source.map(|s| s.name.clone()).unwrap_or_default(),
            items,
        }
    }
}

/// The located diagnostics of one spec file, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The file every diagnostic is in.
    pub file: String,
    /// Sorted by position.
    pub items: Vec<Diagnostic>,
}

impl Report {
    /// True if any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// The errors and the warnings, in that order, each sorted by position.
    pub fn split(&self) -> (Vec<&Diagnostic>, Vec<&Diagnostic>) {
        self.items
            .iter()
            .partition(|d| d.severity == Severity::Error)
    }

    /// A report for a file that could not be parsed into a tree at all.
    pub fn single(file: &str, diagnostic: Diagnostic) -> Self {
        Report {
            file: file.to_owned(),
            items: vec![diagnostic],
        }
    }
}

/// Warnings that share a `help` past this many are summarised: a vendor spec without a
/// declared 400 would otherwise print the same advice for each of its hundreds of operations.
const SHOWN_PER_KIND: usize = 5;

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (errors, warnings) = self.split();
        for d in &errors {
            self.write_one(f, d)?;
        }
        let mut shown: std::collections::BTreeMap<&str, usize> = Default::default();
        for d in &warnings {
            let n = shown.entry(&d.help).or_default();
            *n += 1;
            if *n <= SHOWN_PER_KIND {
                self.write_one(f, d)?;
            }
        }
        for (help, n) in shown.iter().filter(|(_, n)| **n > SHOWN_PER_KIND) {
            let first = warnings.iter().find(|d| d.help == *help).expect("counted");
            writeln!(
                f,
                "{}: warning: {} more like \"{}\"",
                self.file,
                n - SHOWN_PER_KIND,
                first.message
            )?;
        }
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        match (errors.len(), warnings.len()) {
            (e, 0) => writeln!(f, "{} in {}", plural(e, "error"), self.file),
            (0, w) => writeln!(f, "{} in {}", plural(w, "warning"), self.file),
            (e, w) => writeln!(
                f,
                "{} and {} in {}",
                plural(e, "error"),
                plural(w, "warning"),
                self.file
            ),
        }
    }
}

impl Report {
    fn write_one(&self, f: &mut fmt::Formatter<'_>, d: &Diagnostic) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, column)) = d.position {
            write!(f, ":{line}:{column}")?;
        }
        let pointer = if d.pointer.is_empty() && d.position.is_none() {
            "/"
        } else {
            &d.pointer
        };
        let label = match d.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        if pointer.is_empty() {
            writeln!(f, ": {label}{}", d.message)?;
        } else {
            writeln!(f, ": {pointer}: {label}{}", d.message)?;
        }
        writeln!(f, "  help: {}", d.help)
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggest_finds_a_transposed_key() {
        let keys = ["responses", "parameters", "requestBody"];

        assert_eq!(suggest("respones", keys), Some("responses"));
        assert_eq!(suggest("paramters", keys), Some("parameters"));
        assert_eq!(suggest("colour", keys), None);
    }

    #[test]
    fn report_sorts_by_position_and_renders_location_message_and_help() {
        let mut d = Diagnostics::default();
        d.error_at((9, 3), "second".into(), "fix b".into());
        d.error_at((2, 1), "first".into(), "fix a".into());

        let text = d.finish(None).to_string();

        assert_eq!(
            text,
            ":2:1: first\n  help: fix a\n:9:3: second\n  help: fix b\n2 errors in \n"
        );
    }
}
