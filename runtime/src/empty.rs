use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaMediaType, Registry};
use poem_openapi::ResponseContent;

/// The body of a response the spec declares without `content` where poem-openapi needs a
/// payload type: a bodiless `default` response (`Default(StatusCode, NoContent)`). It writes
/// no body and no `Content-Type`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoContent;

impl IntoResponse for NoContent {
    fn into_response(self) -> Response {
        Response::default()
    }
}

impl ResponseContent for NoContent {
    fn media_types() -> Vec<MetaMediaType> {
        Vec::new()
    }

    fn register(_: &mut Registry) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_body_and_no_content_type() {
        let response = NoContent.into_response();

        assert!(response.headers().get("content-type").is_none());
        assert!(NoContent::media_types().is_empty());
    }
}
