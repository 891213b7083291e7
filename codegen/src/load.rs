//! Stage 1, load: file → YAML value → shape check → `openapiv3::OpenAPI`.
//!
//! openapiv3 alone is too lenient to build on: it drops unknown keys (a misspelt `respones:`
//! vanishes), keeps keys the generator cannot express in fields nobody reads, stops at the
//! first missing key and points at the enclosing object. So the document is first read as a
//! plain `serde_json::Value` and walked against the [`crate::shape`] tables, which know every
//! OpenAPI 3.0 key: unknown keys, unsupported keys, missing required keys and wrong types all
//! become located diagnostics, in one pass. The walk also returns a *sanitized* copy with the
//! offending keys removed and missing ones filled with placeholders, so openapiv3 can still
//! parse it and `resolve` can still report the semantic problems of the rest of the document.

use std::path::Path;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Diagnostics, Report};
use crate::shape;
use crate::source::Source;

/// A spec that parsed: its source (for positions), the raw value and the openapiv3 document.
pub struct Loaded {
    /// Text and positions, for locating diagnostics.
    pub source: Source,
    /// The document as plain JSON, for checks openapiv3 cannot express (`$ref` siblings).
    pub raw: Value,
    /// The typed document, parsed from the sanitized value.
    pub doc: openapiv3::OpenAPI,
}

/// Reads and parses the spec at `path`, shown in diagnostics as `name`.
pub fn load_file(path: &Path, name: &str) -> Result<(Loaded, Diagnostics), Report> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Report::single(
            name,
            Diagnostic {
                pointer: String::new(),
                position: None,
                message: format!("cannot read the spec: {e}"),
                help: "check the path; the spec is read relative to the package root".into(),
            },
        )
    })?;
    load_str(name, &text)
}

/// Parses spec text. Returns the loaded document plus the diagnostics found so far (the
/// caller keeps collecting), or a finished report if nothing could be parsed.
pub fn load_str(name: &str, text: &str) -> Result<(Loaded, Diagnostics), Report> {
    let raw: Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let position = e.location().map(|l| (l.line(), l.column()));
            let message = strip_location(&e.to_string());
            return Err(Report::single(
                name,
                Diagnostic {
                    pointer: String::new(),
                    position,
                    message: format!("YAML syntax error: {message}"),
                    help: "fix the YAML at this position (indentation, quoting, a missing `:`)"
                        .into(),
                },
            ));
        }
    };
    // marked-yaml refuses anchors and aliases; without it positions are unknown and
    // diagnostics print the pointer alone rather than a guessed line.
    let tree = marked_yaml::parse_yaml(0, text).ok();
    let source = Source {
        name: name.to_owned(),
        tree,
    };

    let mut diags = Diagnostics::default();
    if !raw.is_object() {
        diags.error(
            "",
            "the document is not a mapping",
            "an OpenAPI document starts with `openapi: 3.0.3`, `info:` and `paths:`",
        );
        return Err(diags.finish(Some(&source)));
    }
    check_version(&raw, &mut diags);
    let sanitized = shape::check_document(&raw, &mut diags);
    match serde_json::from_value::<openapiv3::OpenAPI>(sanitized) {
        Ok(doc) => Ok((Loaded { source, raw, doc }, diags)),
        Err(e) => {
            if diags.is_empty() {
                // The shape tables should catch everything openapiv3 rejects; if they did not,
                // still say what openapiv3 said rather than nothing.
                diags.error(
                    "",
                    format!("not a valid OpenAPI 3.0 document: {e}"),
                    "compare the document with the OpenAPI 3.0.3 specification",
                );
            }
            Err(diags.finish(Some(&source)))
        }
    }
}

fn check_version(raw: &Value, diags: &mut Diagnostics) {
    match raw.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) if v.starts_with("3.1") => diags.error(
            "/openapi",
            format!("OpenAPI {v} is not supported: this generator reads OpenAPI 3.0.x only"),
            "write the document as OpenAPI 3.0.3 (`nullable: true` instead of `type: [T, \"null\"]`, no `webhooks`)",
        ),
        Some(v) => diags.error(
            "/openapi",
            format!("unsupported OpenAPI version `{v}`"),
            "set `openapi: 3.0.3`; Swagger 2.0 documents must be converted to OpenAPI 3.0 first",
        ),
        // A missing or non-string `openapi` is reported by the shape check.
        None => {}
    }
}

/// serde_yaml appends " at line L column C" to its messages; the position is printed
/// separately, so drop it from the text.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(text: &str) -> String {
        match load_str("t.yaml", text) {
            Ok((loaded, diags)) => diags.finish(Some(&loaded.source)).to_string(),
            Err(report) => report.to_string(),
        }
    }

    #[test]
    fn yaml_syntax_error_is_located() {
        let text = report("openapi: 3.0.3\ninfo: {title: a\n");

        assert!(text.starts_with("t.yaml:"), "{text}");
        assert!(text.contains("YAML syntax error"), "{text}");
    }

    #[test]
    fn openapi_31_is_refused_plainly() {
        let text = report("openapi: 3.1.0\ninfo: {title: a, version: '1'}\npaths: {}\n");

        assert!(
            text.contains("t.yaml:1:1: /openapi: OpenAPI 3.1.0 is not supported"),
            "{text}"
        );
    }

    #[test]
    fn unquoted_status_codes_still_load() {
        let (loaded, diags) = load_str(
            "t.yaml",
            "openapi: 3.0.3\ninfo: {title: a, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        200: {description: ok}\n",
        )
        .unwrap_or_else(|r| panic!("{r}"));

        assert!(diags.is_empty());
        assert_eq!(loaded.doc.paths.paths.len(), 1);
    }
}
