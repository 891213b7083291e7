//! Stage 3, render: [`ir::Api`] → Rust source text, through askama templates.
//!
//! One template per output section (`templates/*.rs`). Templates only print what the IR
//! decided; a render failure is a bug in the generator, not in the spec.

pub mod spelling;

use askama::Template;

use crate::ir;
#[allow(unused_imports)] // named by the templates
use crate::ir::RejectionFill;

#[derive(Template)]
#[template(path = "types.rs")]
struct Types<'a> {
    api: &'a ir::Api,
}

#[derive(Template)]
#[template(path = "responses.rs")]
struct Responses<'a> {
    api: &'a ir::Api,
}

#[derive(Template)]
#[template(path = "handler_trait.rs")]
struct HandlerTrait<'a> {
    api: &'a ir::Api,
}

#[derive(Template)]
#[template(path = "adapter.rs")]
struct Adapter<'a> {
    api: &'a ir::Api,
    /// The Rust expression of the document text (`include_str!(…)` or a literal).
    document: &'a str,
}

/// Renders every section, in a fixed order, into one unformatted Rust source; `document` is
/// the expression that yields the spec text the server serves.
pub fn render(api: &ir::Api, document: &str) -> Result<String, askama::Error> {
    let mut out = String::new();
    out.push_str(&Types { api }.render()?);
    out.push_str(&Responses { api }.render()?);
    out.push_str(&HandlerTrait { api }.render()?);
    out.push_str(&Adapter { api, document }.render()?);
    Ok(out)
}

/// Template filters.
mod filters {
    /// A Rust string literal: `a "b"` → `"a \"b\""`.
    #[askama::filter_fn]
    pub fn literal<T: std::fmt::Display>(s: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::spelling::literal(&s.to_string()))
    }

    /// Text for one `///` line: a line break would end the comment.
    #[askama::filter_fn]
    pub fn one_line<T: std::fmt::Display>(s: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::spelling::one_line(&s.to_string()))
    }
}
