//! A request rejected before its handler ran, as data: where in the request, a JSON pointer
//! into it, and a message. poem-openapi's errors carry only strings and stop at the first
//! problem, so a [`Rejection`] holds what those strings tell: one entry, located as well as
//! the error type and message allow.

use poem::http::StatusCode;
use poem_openapi::error::{
    ContentTypeError, ParseParamError, ParsePathError, ParseRequestPayloadError,
};
use serde_json::{json, Value};

use crate::checked::ParamsRejected;

/// A JSON body with every problem found in it (by walking the schema poem-openapi registered): poem-openapi's
/// `ParseRequestPayloadError` holds one message.
#[derive(Debug)]
pub struct BodyRejected {
    /// Each problem: the path to the value, outermost first, and what is wrong.
    pub problems: Vec<crate::walk::Problem>,
}

impl std::fmt::Display for BodyRejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("parse request payload error: ")?;
        for (i, (path, message)) in self.problems.iter().enumerate() {
            let sep = if i == 0 { "" } else { "; " };
            write!(f, "{sep}/{}: {message}", path.join("/"))?;
        }
        Ok(())
    }
}

impl std::error::Error for BodyRejected {}

impl poem::error::ResponseError for BodyRejected {
    fn status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }
}

/// Why a request was rejected.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The status poem-openapi chose (400, 413, 415, 401, …).
    pub status: StatusCode,
    /// What was wrong: every parameter's problem, or every problem of a JSON body.
    pub errors: Vec<RejectionError>,
}

/// One thing wrong with a request.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectionError {
    /// Where: `path`, `query`, `header`, `cookie`, `body` or `request`. (A parameter's error
    /// that poem-openapi reports itself says `query` for any location but the path, unless
    /// the operation's places name it.)
    pub location: &'static str,
    /// The parameter's name, or the body member's path, outermost first (`["size"]`).
    pub path: Vec<String>,
    /// What is wrong, as poem-openapi or the generated checks say it.
    pub message: String,
    /// The place in the spec that rejected it, as a URI fragment
    /// (`#/components/schemas/ItemUpdate/properties/size`), when the generated code knows it:
    /// the parameter's schema, the body's schema, or the body member's property.
    pub schema: Option<String>,
}

/// Where one input of an operation is declared in the spec, for [`RejectionError::schema`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// `path`, `query`, `header`, `cookie` or `body`.
    pub location: &'static str,
    /// The parameter's name as poem-openapi reports it (`param0` for the first path
    /// parameter); for the body, the JSON pointer of a member (`/size`), `` for the whole body.
    pub name: &'static str,
    /// The parameter's name in the spec, which the error then names.
    pub shown: &'static str,
    /// The spec location of its schema, as a URI fragment.
    pub schema: &'static str,
}

std::thread_local! {
    static PLACES: std::cell::Cell<&'static [Place]> = const { std::cell::Cell::new(&[]) };
}

/// While alive, rejections built on this thread are located with `places` (the generated
/// rejection function of an operation holds one while it answers).
pub struct InSpec(&'static [Place]);

impl InSpec {
    /// Locates rejections with `places` until dropped.
    pub fn enter(places: &'static [Place]) -> Self {
        InSpec(PLACES.with(|p| p.replace(places)))
    }
}

impl Drop for InSpec {
    fn drop(&mut self) {
        PLACES.with(|p| p.set(self.0));
    }
}

/// Fills `error.schema` (and the exact location of a non-path parameter, which poem-openapi
/// does not say) from `places`.
fn locate(error: &mut RejectionError, places: &[Place]) {
    match error.location {
        "body" => {
            let pointer = error.pointer();
            let within = |name: &str| {
                name.is_empty() || pointer == name || pointer.starts_with(&format!("{name}/"))
            };
            error.schema = places
                .iter()
                .filter(|p| p.location == "body" && within(p.name))
                .max_by_key(|p| p.name.len())
                .map(|p| p.schema.to_owned());
        }
        "path" | "query" | "header" | "cookie" => {
            let name = error.path.first().map(String::as_str).unwrap_or_default();
            let location = error.location;
            // poem-openapi's own errors say `query` for every parameter not in the path.
            let matches = |p: &&Place| {
                p.name == name
                    && p.location != "body"
                    && (p.location == location || (location == "query" && p.location != "path"))
            };
            if let Some(place) = places.iter().find(matches) {
                error.location = place.location;
                error.path = vec![place.shown.to_owned()];
                error.schema = Some(place.schema.to_owned());
            }
        }
        _ => {}
    }
}

impl RejectionError {
    /// The JSON pointer of the value inside its location (`/tags/0`; `` for the whole).
    pub fn pointer(&self) -> String {
        self.path
            .iter()
            .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
            .collect()
    }
}

impl From<&poem::Error> for Rejection {
    fn from(err: &poem::Error) -> Self {
        if let Some(body) = err.downcast_ref::<BodyRejected>() {
            let errors = body
                .problems
                .iter()
                .map(|(path, message)| located("body", path.clone(), message.clone()))
                .collect();
            return Rejection {
                status: err.status(),
                errors,
            };
        }
        let params = err.downcast_ref::<ParamsRejected>();
        if let Some(params) = params.filter(|p| !p.problems.is_empty()) {
            let errors = params
                .problems
                .iter()
                .map(|p| located(p.location, vec![p.name.to_owned()], humanize(&p.reason)))
                .collect();
            return Rejection {
                status: err.status(),
                errors,
            };
        }
        let (location, path, message) = if let Some(e) = err.downcast_ref::<ParsePathError>() {
            ("path", vec![e.name.to_owned()], humanize(&e.reason))
        } else if let Some(e) = err.downcast_ref::<ParseParamError>() {
            ("query", vec![e.name.to_owned()], humanize(&e.reason))
        } else if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
            ("body", body_path(&e.reason), humanize(&e.reason))
        } else if err.downcast_ref::<ContentTypeError>().is_some() {
            ("body", Vec::new(), err.to_string())
        } else {
            ("request", Vec::new(), err.to_string())
        };
        Rejection {
            status: err.status(),
            errors: vec![located(location, path, message)],
        }
    }
}

/// A problem of the request, with its place in the spec when the operation being served
/// told where its inputs are declared.
fn located(location: &'static str, path: Vec<String>, message: String) -> RejectionError {
    let mut error = RejectionError {
        location,
        path,
        message,
        schema: None,
    };
    PLACES.with(|places| locate(&mut error, places.get()));
    error
}

/// poem-openapi's wording of a parse error, said for a person: `minimum(0, exclusive: false)`
/// becomes "must be at least 0", `Expected input type "integer(int64)", found "x".` becomes
/// "must be an integer, not \"x\"", and the Rust-side context (`failed to parse "ItemUpdate":`,
/// `(occurred while parsing "optional_string")`, `field \`size\` verification failed.`) goes.
pub fn humanize(reason: &str) -> String {
    let mut text = reason.trim();
    // Context poem-openapi wraps around the cause, outermost first.
    loop {
        let before = text;
        if let Some(rest) = text.strip_prefix("failed to parse \"") {
            if let Some((_, rest)) = rest.split_once("\": ") {
                text = rest;
            }
        }
        if let Some(rest) = text.strip_prefix("field `") {
            if let Some((_, rest)) = rest.split_once("` ") {
                text = rest;
            }
        }
        if let Some(rest) = text.strip_prefix("verification failed. ") {
            text = rest;
        }
        if let Some(at) = text.rfind(" (occurred while parsing \"") {
            text = &text[..at];
        }
        if text == before {
            break;
        }
    }
    if let Some(rule) = validator(text) {
        return rule;
    }
    if let Some(rest) = text.strip_prefix("Expected input type \"") {
        if let Some((ty, found)) = rest.split_once("\", found ") {
            return format!("must be {}, not {}", kind(ty), found.trim_end_matches('.'));
        }
    }
    if text.starts_with("Type \"") && text.ends_with("expects an input value.") {
        return "is required".to_owned();
    }
    if text.starts_with("unknown field `") {
        return crate::json::UNKNOWN_MEMBER.to_owned();
    }
    // The generated strict-JSON check: "`/size` must be an integer that fits i64, not \"x\"".
    if let Some((_, rest)) = text.strip_prefix('`').and_then(|r| r.split_once("` ")) {
        if rest.starts_with("must be ") || rest == crate::json::UNKNOWN_MEMBER {
            return rest.to_owned();
        }
    }
    text.trim_end_matches('.').to_owned()
}

/// A poem-openapi validator (`maximum(1000000, exclusive: false)`) as a rule.
fn validator(text: &str) -> Option<String> {
    let (name, args) = text.strip_suffix(')')?.split_once('(')?;
    let (n, exclusive) = match args.split_once(", exclusive: ") {
        Some((n, exclusive)) => (n, exclusive == "true"),
        None => (args, false),
    };
    Some(match (name, exclusive) {
        ("maximum", false) => format!("must be at most {n}"),
        ("maximum", true) => format!("must be less than {n}"),
        ("minimum", false) => format!("must be at least {n}"),
        ("minimum", true) => format!("must be greater than {n}"),
        ("maxLength", _) => format!("must be at most {n} characters long"),
        ("minLength", _) => format!("must be at least {n} characters long"),
        ("maxItems", _) => format!("must have at most {n} items"),
        ("minItems", _) => format!("must have at least {n} items"),
        ("maxProperties", _) => format!("must have at most {n} members"),
        ("minProperties", _) => format!("must have at least {n} members"),
        ("multipleOf", _) => format!("must be a multiple of {n}"),
        ("pattern", _) => format!("must match the pattern `{}`", n.trim_matches('"')),
        _ => return None,
    })
}

/// "an integer" for poem-openapi's `integer(int64)`, "an object" for a named object type.
fn kind(ty: &str) -> &'static str {
    match ty.split('(').next().unwrap_or(ty) {
        "integer" => "an integer",
        "number" => "a number",
        "string" => "a string",
        "boolean" => "a boolean",
        "array" | "[]" => "an array",
        _ if ty.starts_with('[') => "an array",
        _ => "an object",
    }
}

/// The member a body error names: the pointer of the generated strict-JSON check
/// (`` `/adopter/name` must be a string``), or poem-openapi's `` field `size` ``.
pub(crate) fn body_path(reason: &str) -> Vec<String> {
    if let Some(pointer) = reason
        .strip_prefix("`/")
        .and_then(|r| r.split_once('`'))
        .map(|(p, _)| p)
    {
        return pointer
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
    }
    reason
        .split_once("field `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(name, _)| vec![name.to_owned()])
        .unwrap_or_default()
}

/// Makes an API's own error body (`{code, message}`, an envelope, …) from a rejected request.
///
/// Where an operation declares its 400 (413, 415, 401) with an error schema that is neither
/// RFC 9457 problem details nor FastAPI's `HTTPValidationError`, and the generator runs with
/// `convert_rejections(true)` or strict, the generated code answers rejected requests with
/// that schema, made by this trait: the compiler asks for an implementation for each such type.
///
/// ```ignore
/// impl codegen_runtime::FromRejection for api::Error {
///     fn from_rejection(rejection: &codegen_runtime::Rejection) -> Self {
///         api::Error { code: rejection.status.as_u16().into(), message: rejection.to_string() }
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is an error body of the spec: implement `codegen_runtime::FromRejection` for it",
    label = "rejected requests are answered with `{Self}`",
    note = "the spec declares `{Self}` as the body of a 400/401/413/415 this server answers before any handler runs; `from_rejection` makes one from what was wrong (status, location, pointer, message)"
)]
pub trait FromRejection {
    /// The error body that answers `rejection`.
    fn from_rejection(rejection: &Rejection) -> Self;
}

/// `body /size: must be at most 1000000` (each error on its own line).
impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match e.pointer().as_str() {
                "" => write!(f, "{}: {}", e.location, e.message)?,
                pointer => write!(f, "{} {pointer}: {}", e.location, e.message)?,
            }
        }
        Ok(())
    }
}

/// The message of the rejection `err` for a problem's `detail`: for a 400, its errors in one
/// line, each with its place (`body /size: must be at least 0; query /limit: …`); otherwise
/// poem-openapi's message, with parameters called by their names in the spec (poem-openapi
/// says `param0` for the first path parameter).
pub fn rejection_detail(err: &poem::Error) -> String {
    Rejection::from(err).detail(err)
}

/// The errors of the rejection `err` as a problem body's `errors` member:
/// `[{"in": "body", "pointer": "/size", "schema": "#/…/size", "message": "…"}]`, parsed into the
/// member's generated type (`None` if it does not take that shape).
pub fn rejection_errors<T: poem_openapi::types::ParseFromJSON>(err: &poem::Error) -> Option<T> {
    T::parse_from_json(Some(Rejection::from(err).errors_json())).ok()
}

impl Rejection {
    /// The problem `detail` of the rejection `err` this was made from (see
    /// [`rejection_detail`]).
    pub(crate) fn detail(&self, err: &poem::Error) -> String {
        if self.errors.iter().all(|e| e.location != "request") && err.status() == 400 {
            // One line: `body /size: must be at least 0; body /nmae: is not a member …`.
            return self.to_string().replace('\n', "; ");
        }
        let mut detail = err.to_string();
        PLACES.with(|places| {
            for place in places
                .get()
                .iter()
                .filter(|p| p.name != p.shown && p.location != "body")
            {
                detail =
                    detail.replace(&format!("`{}`", place.name), &format!("`{}`", place.shown));
            }
        });
        detail
    }

    /// The errors as a problem body's `errors` member (see [`rejection_errors`]).
    pub(crate) fn errors_json(&self) -> Value {
        let errors = self
            .errors
            .iter()
            .map(|e| {
                let mut entry =
                    json!({"in": e.location, "pointer": e.pointer(), "message": e.message});
                if let Some(schema) = &e.schema {
                    entry["schema"] = json!(schema);
                }
                entry
            })
            .collect();
        Value::Array(errors)
    }
}

impl Rejection {
    /// FastAPI's validation error body, `{"detail": [{"loc": ["body", "size"], "msg": …,
    /// "type": …}]}`, which FastAPI's clients read from its 422 responses.
    pub fn fastapi_detail(&self) -> Value {
        let detail: Vec<Value> = self
            .errors
            .iter()
            .map(|e| {
                let loc: Vec<Value> = std::iter::once(e.location.to_owned())
                    .chain(e.path.iter().cloned())
                    .map(|s| match s.parse::<u64>() {
                        Ok(index) if e.location == "body" => json!(index),
                        _ => json!(s),
                    })
                    .collect();
                let kind = if self.status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
                    "content_type"
                } else if e.message.contains("is required") || e.message.contains("missing") {
                    "missing"
                } else {
                    "value_error"
                };
                json!({"loc": loc, "msg": e.message, "type": kind})
            })
            .collect();
        json!({ "detail": detail })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_and_body_errors_are_located() {
        let path = Rejection::from(&poem::Error::from(ParsePathError {
            name: "item_id",
            reason: "too long".into(),
        }));
        let field = Rejection::from(&poem::Error::from(ParseRequestPayloadError {
            reason: "failed to parse \"ItemUpdate\": field `size` verification failed".into(),
        }));
        let strict = Rejection::from(&poem::Error::from(ParseRequestPayloadError {
            reason: "`/tags/0` must be a string, not 7".into(),
        }));

        assert_eq!(path.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            (path.errors[0].location, path.errors[0].pointer().as_str()),
            ("path", "/item_id")
        );
        assert_eq!(field.errors[0].path, ["size"]);
        assert_eq!(field.errors[0].schema, None, "no places entered");
        assert_eq!(path.to_string(), "path /item_id: too long");
        assert_eq!(strict.to_string(), "body /tags/0: must be a string, not 7");
        assert_eq!(strict.errors[0].pointer(), "/tags/0");
        assert_eq!(
            strict.fastapi_detail()["detail"][0]["loc"],
            json!(["body", "tags", 0])
        );
        assert_eq!(
            field.fastapi_detail()["detail"][0]["msg"],
            json!("verification failed")
        );
    }

    #[test]
    fn poem_openapi_wording_is_said_for_a_person() {
        let cases = [
            (
                "failed to parse \"ItemUpdate\": field `size` verification failed. maximum(1000000, exclusive: false)",
                "must be at most 1000000",
            ),
            ("verification failed. minimum(1, exclusive: false)", "must be at least 1"),
            ("verification failed. minimum(0, exclusive: true)", "must be greater than 0"),
            (
                "failed to parse \"string\": verification failed. pattern(\"^[a-z]+$\") (occurred while parsing \"optional_string\")",
                "must match the pattern `^[a-z]+$`",
            ),
            ("failed to parse \"string\": verification failed. maxLength(64)", "must be at most 64 characters long"),
            ("Expected input type \"integer(int32)\", found \"abc\".", "must be an integer, not \"abc\""),
            ("Expected input type \"ItemUpdate\", found [1].", "must be an object, not [1]"),
            ("failed to parse \"ItemUpdate\": unknown field `nmae`.", "is not a member the schema declares"),
            ("Type \"integer(int32)\" expects an input value.", "is required"),
            ("`/size` must be an integer that fits i64, not \"x\"", "must be an integer that fits i64, not \"x\""),
            ("EOF while parsing an object at line 1 column 9", "EOF while parsing an object at line 1 column 9"),
        ];
        for (reason, said) in cases {
            assert_eq!(humanize(reason), said, "{reason}");
        }
    }

    #[test]
    fn places_name_the_spec_location_and_the_exact_parameter_location() {
        static PLACES: &[Place] = &[
            Place {
                location: "path",
                name: "param0",
                shown: "item_id",
                schema: "#/p/item_id",
            },
            Place {
                location: "header",
                name: "X-Trace",
                shown: "X-Trace",
                schema: "#/p/trace",
            },
            Place {
                location: "body",
                name: "",
                shown: "",
                schema: "#/s/ItemUpdate",
            },
            Place {
                location: "body",
                name: "/size",
                shown: "/size",
                schema: "#/s/ItemUpdate/properties/size",
            },
        ];
        let _in_spec = InSpec::enter(PLACES);
        let path = Rejection::from(&poem::Error::from(ParsePathError {
            name: "param0",
            reason: "too long".into(),
        }));
        assert_eq!(path.errors[0].pointer(), "/item_id");
        let detail = rejection_detail(&poem::Error::from(ParsePathError {
            name: "param0",
            reason: "too long".into(),
        }));
        assert_eq!(
            detail, "path /item_id: too long",
            "a 400's detail sums up its errors"
        );
        assert_eq!(path.errors[0].schema.as_deref(), Some("#/p/item_id"));
        let header = Rejection::from(&poem::Error::from(ParseParamError {
            name: "X-Trace",
            reason: "bad".into(),
        }));
        let member = Rejection::from(&poem::Error::from(ParseRequestPayloadError {
            reason: "`/size/0` must be an integer".into(),
        }));
        let whole = Rejection::from(&poem::Error::from(ParseRequestPayloadError {
            reason: "expected value at line 1 column 1".into(),
        }));

        assert_eq!(
            (
                header.errors[0].location,
                header.errors[0].schema.as_deref()
            ),
            ("header", Some("#/p/trace"))
        );
        assert_eq!(
            member.errors[0].schema.as_deref(),
            Some("#/s/ItemUpdate/properties/size")
        );
        assert_eq!(whole.errors[0].schema.as_deref(), Some("#/s/ItemUpdate"));
        drop(_in_spec);
        let after = Rejection::from(&poem::Error::from(ParseParamError {
            name: "X-Trace",
            reason: "bad".into(),
        }));
        assert_eq!(after.errors[0].schema, None, "places end with the guard");
    }

    #[test]
    fn every_parameter_problem_becomes_an_error_in_the_specs_names() {
        static PLACES: &[Place] = &[
            Place {
                location: "path",
                name: "param0",
                shown: "item_id",
                schema: "#/p/item_id",
            },
            Place {
                location: "query",
                name: "X-Trace",
                shown: "X-Trace",
                schema: "#/p/query",
            },
            Place {
                location: "header",
                name: "X-Trace",
                shown: "X-Trace",
                schema: "#/p/trace",
            },
        ];
        let _in_spec = InSpec::enter(PLACES);
        let problem = |location, name, reason: &str| crate::ParamProblem {
            location,
            name,
            reason: reason.into(),
        };
        let err = poem::Error::from(ParamsRejected {
            problems: vec![
                problem("path", "param0", "verification failed. maxLength(64)"),
                problem("header", "X-Trace", "verification failed. minLength(3)"),
            ],
        });
        let rejection = Rejection::from(&err);
        let errors: Vec<_> = rejection
            .errors
            .iter()
            .map(|e| (e.location, e.pointer(), e.schema.as_deref()))
            .collect();
        assert_eq!(
            errors,
            [
                ("path", "/item_id".to_owned(), Some("#/p/item_id")),
                // The header, not the query parameter of the same name.
                ("header", "/X-Trace".to_owned(), Some("#/p/trace")),
            ]
        );
        assert_eq!(
            rejection_detail(&err),
            "path /item_id: must be at most 64 characters long; header /X-Trace: must be at least 3 characters long"
        );
        // No problems noted (the failure was lost): one error about the request, still a 400.
        let lost = Rejection::from(&poem::Error::from(ParamsRejected { problems: vec![] }));
        assert_eq!(
            (lost.status, lost.errors[0].location),
            (StatusCode::BAD_REQUEST, "request")
        );
    }
}
