//! A request rejected before its handler ran, as data: where in the request, a JSON pointer
//! into it, and a message. poem-openapi's errors carry only strings and stop at the first
//! problem, so a [`Rejection`] holds what those strings tell: one entry, located as well as
//! the error type and message allow.

use poem::http::StatusCode;
use poem_openapi::error::{
    ContentTypeError, ParseParamError, ParsePathError, ParseRequestPayloadError,
};
use serde_json::{json, Value};

/// Why a request was rejected.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The status poem-openapi chose (400, 413, 415, 401, …).
    pub status: StatusCode,
    /// What was wrong (one entry: poem-openapi stops at the first problem).
    pub errors: Vec<RejectionError>,
}

/// One thing wrong with a request.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectionError {
    /// Where: `path`, `query` (for any non-path parameter: poem-openapi does not say which
    /// location), `body` or `request`.
    pub location: &'static str,
    /// The parameter's name, or the body member's path, outermost first (`["size"]`).
    pub path: Vec<String>,
    /// What is wrong, as poem-openapi or the generated checks say it.
    pub message: String,
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
        let (location, path, message) = if let Some(e) = err.downcast_ref::<ParsePathError>() {
            ("path", vec![e.name.to_owned()], e.reason.clone())
        } else if let Some(e) = err.downcast_ref::<ParseParamError>() {
            ("query", vec![e.name.to_owned()], e.reason.clone())
        } else if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
            ("body", body_path(&e.reason), e.reason.clone())
        } else if err.downcast_ref::<ContentTypeError>().is_some() {
            ("body", Vec::new(), err.to_string())
        } else {
            ("request", Vec::new(), err.to_string())
        };
        Rejection {
            status: err.status(),
            errors: vec![RejectionError {
                location,
                path,
                message,
            }],
        }
    }
}

/// The member a body error names: the pointer of the generated strict-JSON check
/// (`` `/adopter/name` must be a string``), or poem-openapi's `` field `size` ``.
fn body_path(reason: &str) -> Vec<String> {
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
        assert_eq!(strict.errors[0].pointer(), "/tags/0");
        assert_eq!(
            strict.fastapi_detail()["detail"][0]["loc"],
            json!(["body", "tags", 0])
        );
        assert_eq!(
            field.fastapi_detail()["detail"][0]["msg"],
            json!("failed to parse \"ItemUpdate\": field `size` verification failed")
        );
    }
}
