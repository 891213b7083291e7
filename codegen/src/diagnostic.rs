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

/// One problem in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
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
}

impl Diagnostics {
    /// Records a problem at `pointer`; its position is looked up later, in [`Self::finish`].
    pub fn error(&mut self, pointer: &str, message: impl Into<String>, help: impl Into<String>) {
        self.items.push(Diagnostic {
            pointer: pointer.to_owned(),
            position: None,
            message: message.into(),
            help: help.into(),
        });
    }

    /// Records a problem whose position is known already (a YAML syntax error).
    pub fn error_at(&mut self, position: (usize, usize), message: String, help: String) {
        self.items.push(Diagnostic {
            pointer: String::new(),
            position: Some(position),
            message,
            help,
        });
    }

    /// True if nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
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
    /// A report for a file that could not be parsed into a tree at all.
    pub fn single(file: &str, diagnostic: Diagnostic) -> Self {
        Report {
            file: file.to_owned(),
            items: vec![diagnostic],
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.items {
            write!(f, "{}", self.file)?;
            if let Some((line, column)) = d.position {
                write!(f, ":{line}:{column}")?;
            }
            let pointer = if d.pointer.is_empty() && d.position.is_none() {
                "/"
            } else {
                &d.pointer
            };
            if pointer.is_empty() {
                writeln!(f, ": {}", d.message)?;
            } else {
                writeln!(f, ": {pointer}: {}", d.message)?;
            }
            writeln!(f, "  help: {}", d.help)?;
        }
        let n = self.items.len();
        writeln!(
            f,
            "{n} error{} in {}",
            if n == 1 { "" } else { "s" },
            self.file
        )
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance, counting an adjacent transposition as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
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
