//! Problem details (RFC 9457) for responses the handlers and the router choose themselves.
//! Requests poem-openapi rejects are turned into the same shape by the generated
//! `From<&poem::Error> for Problem`.

use poem::http::StatusCode;

use crate::api::Problem;

/// The media type of every error body.
pub const MEDIA_TYPE: &str = "application/problem+json";

/// A problem with the status's reason phrase as title and `detail` for this request.
pub fn problem(status: StatusCode, detail: impl Into<String>) -> Problem {
    Problem {
        type_: "about:blank".to_owned(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: i32::from(status.as_u16()),
        detail: Some(detail.into()),
        instance: codegen_runtime::current_request_id(),
        errors: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_takes_title_from_the_status() {
        let p = problem(StatusCode::NOT_FOUND, "no item has the id `x`");

        assert_eq!(p.title, "Not Found");
        assert_eq!(p.status, 404);
        assert_eq!(p.type_, "about:blank");
        assert_eq!(p.detail.as_deref(), Some("no item has the id `x`"));
        assert_eq!(p.instance, None, "no request is being served");
    }
}
