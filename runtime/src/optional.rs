use std::future::Future;
use std::pin::Pin;

use poem::{Body, Request, RequestBody};
use poem_openapi::registry::MetaRequest;
use poem_openapi::{ApiExtractor, ExtractParamOptions};

/// A request body the spec does not require: a request without `Content-Type` and without
/// bytes has none; anything else is parsed (and checked) as the payload `T`.
#[derive(Debug)]
pub struct OptionalBody<T>(pub Option<T>);

impl<'a, T: ApiExtractor<'a, ParamType = ()>> ApiExtractor<'a> for OptionalBody<T> {
    body_items!();

    fn request_meta() -> Option<MetaRequest> {
        T::request_meta().map(|meta| MetaRequest {
            required: false,
            ..meta
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        param_opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        if request.content_type().is_none() {
            let bytes = body.take()?.into_bytes().await?;
            if bytes.is_empty() {
                return Ok(Self(None));
            }
            *body = RequestBody::new(Body::from(bytes));
        }
        // Boxed, as poem-openapi boxes its own extractors (rust-lang/rust#100013: the `Send`
        // bound of an unboxed generic future cannot be proven here).
        let inner: Pin<Box<dyn Future<Output = poem::Result<T>> + Send + '_>> =
            Box::pin(T::from_request(request, body, param_opts));
        inner.await.map(|value| Self(Some(value)))
    }
}
