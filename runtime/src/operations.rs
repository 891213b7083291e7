//! A generated API's operations as endpoints of their own, for `serve::Routes`.
//!
//! poem-openapi's `#[OpenApi]` derive makes each operation an endpoint that extracts the
//! arguments, calls the method and converts its response; then wraps it in an `after` that
//! marks the response with the `OperationId`, and boxes both. The generator writes the same
//! endpoint itself ([`Operations`]), one layer, and converts the response with the generated
//! [`Respond`], which writes JSON bodies without a `serde_json::Value` ([`crate::WriteJson`]).
//! The operation id is noted for the request rather than set on the response.
//! The arguments are extracted by the same `ApiExtractor` calls with the same options, in
//! the same order; the differential tests (`tests/contract/routes.rs`, the corpus and the
//! goldens) send the same requests through both and compare the answers.

use std::future::Future;

use poem::error::IntoResult;
use poem::http::Method;
use poem::{EndpointExt, IntoResponse, Request, RequestBody, Response};
use poem_openapi::{ApiExtractor, ApiResponse, ExtractParamOptions};

/// A response enum's conversion to a response, written by the generator as its
/// `ApiResponse` derive converts it, but for JSON bodies ([`crate::json_response`]).
pub trait Respond {
    /// The response.
    fn respond(self) -> Response;
}

/// The operations of a generated API, in the order it declares them.
pub trait Operations {
    /// One endpoint per operation.
    fn operations(self) -> Vec<Operation>;
}

/// One operation: where it is routed and its endpoint.
pub struct Operation {
    /// The path as the adapter's `#[oai(path = ...)]` writes it (`/items/:item_id`).
    pub path: &'static str,
    /// Its method.
    pub method: Method,
    /// The endpoint: extraction, the handler call and the response.
    pub endpoint: poem::endpoint::BoxEndpoint<'static, Response>,
}

impl Operation {
    /// The operation at `path` and `method` that `call` answers.
    pub fn new<F, Fut>(path: &'static str, method: Method, call: F) -> Self
    where
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = poem::Result<Response>> + Send + 'static,
    {
        Operation {
            path,
            method,
            endpoint: poem::endpoint::make(call).boxed(),
        }
    }
}

/// Extracts the argument `E` as poem-openapi's derive does, with the options it passes for
/// an argument named `name` (`param0` for the first path parameter) with the default
/// `default`.
pub fn extract<'a, 'b, E: ApiExtractor<'a>>(
    request: &'a Request,
    body: &'b mut RequestBody,
    name: &'static str,
    default: Option<fn() -> E::ParamType>,
) -> impl Future<Output = poem::Result<E>> + Send + use<'a, 'b, E> {
    let options = ExtractParamOptions {
        name,
        ignore_case: false,
        default_value: default,
        example_value: None,
        explode: true,
        style: None,
    };
    E::from_request(request, body, options)
}

/// Answers an argument's failure `err` as the derive does: with the response enum `R`'s
/// `bad_request_handler` when it has one, else as the error; marked with the operation's id.
pub fn rejected<R: ApiResponse + Respond>(
    err: poem::Error,
    operation: Option<&'static str>,
) -> poem::Result<Response> {
    let answer = match R::BAD_REQUEST_HANDLER {
        true => Ok(R::from_parse_request_error(err).respond()),
        false => Err(err),
    };
    marked(answer, operation)
}

/// The handler's answer (its response enum `R`, or an error), marked with the operation's id.
pub fn answered<R: Respond + IntoResponse>(
    answer: impl IntoResult<R>,
    operation: Option<&'static str>,
) -> poem::Result<Response> {
    marked(answer.into_result().map(R::respond), operation)
}

/// What the derive's `after` does, marking the answer with the `operationId` for the
/// server's access log and metrics, done by noting it for the request instead
/// ([`note_operation`](crate::request_id::note_operation)), which allocates nothing.
fn marked(
    answer: poem::Result<Response>,
    operation: Option<&'static str>,
) -> poem::Result<Response> {
    if let Some(id) = operation {
        crate::request_id::note_operation(id);
    }
    answer
}
