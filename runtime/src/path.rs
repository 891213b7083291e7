//! Path parameters: where the router leaves them and [`PathParam`], which reads them.
//!
//! poem's router keeps the parameters it matched in a private field of the request, which only
//! poem's `Route` can fill and poem-openapi's `Path` reads. [`Routes`](crate::serve::Routes)
//! routes without poem's `Route` (its layers were a fifth of a GET, BENCHMARKS.md), so it
//! notes the segments it matched for the request being served (or, outside the server's
//! request scope, leaves them in [`RoutedParams`]), and the generated code extracts path
//! parameters with [`PathParam`]: poem-openapi's `Path`, reading from either place.

use std::borrow::Cow;
use std::ops::Range;

use poem::{Request, RequestBody};
use poem_openapi::error::ParsePathError;
use poem_openapi::registry::{MetaParamIn, MetaSchemaRef, Registry};
use poem_openapi::types::ParseFromParameter;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

/// The path segments a router matched to a route's parameters `param0`, `param1`, … (the
/// names poem-openapi routes them by), as byte ranges of the request's path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoutedParams(pub Vec<Range<usize>>);

/// The value of the route parameter `name` of `request`, percent-decoded: from
/// [`RoutedParams`] when a `Routes` router matched it, else from poem's router. `None` when
/// there is no such parameter or it does not decode to UTF-8 (as poem's router drops it).
pub fn path_param<'a>(request: &'a Request, name: &str) -> Option<Cow<'a, str>> {
    let routed = |ranges: &[Range<usize>]| {
        let index: usize = name.strip_prefix("param")?.parse().ok()?;
        let raw = request.uri().path().get(ranges.get(index)?.clone())?;
        percent_encoding::percent_decode_str(raw).decode_utf8().ok()
    };
    // Noted for the request being served, or (outside the server's request scope) left on it.
    if let Some(value) = crate::request_id::with_routed_params(routed) {
        return value;
    }
    match request.extensions().get::<RoutedParams>() {
        Some(RoutedParams(ranges)) => routed(ranges),
        None => request.raw_path_param(name).map(Cow::Borrowed),
    }
}

/// A path parameter of type `T`: poem-openapi's `param::Path<T>`, read with [`path_param`].
/// The generated code names it through [`param::Path`](crate::param::Path), since
/// poem-openapi's derive knows a path parameter by a type named `Path`.
#[derive(Debug, Clone, PartialEq)]
pub struct PathParam<T>(pub T);

impl<'a, T: ParseFromParameter> ApiExtractor<'a> for PathParam<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::Parameter];
    const PARAM_IS_REQUIRED: bool = T::IS_REQUIRED;

    type ParamType = T;
    type ParamRawType = T::RawValueType;

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn param_in() -> Option<MetaParamIn> {
        Some(MetaParamIn::Path)
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        Some(T::schema_ref())
    }

    fn param_raw_type(&self) -> Option<&Self::ParamRawType> {
        self.0.as_raw_value()
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let value = match (
            path_param(request, param_opts.name),
            &param_opts.default_value,
        ) {
            (Some(value), _) => Some(value),
            (None, Some(default_value)) => return Ok(Self(default_value())),
            (None, None) => None,
        };
        T::parse_from_parameters(value.as_deref())
            .map(Self)
            .map_err(|err| {
                ParsePathError {
                    name: param_opts.name,
                    reason: err.into_message(),
                }
                .into()
            })
    }
}

#[cfg(test)]
// One parameter's range in a list of ranges is what is meant.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;

    fn routed(path: &str, ranges: Vec<Range<usize>>) -> Request {
        let mut request = Request::builder().uri_str(path).finish();
        request.extensions_mut().insert(RoutedParams(ranges));
        request
    }

    #[test]
    fn routed_params_are_read_by_index_and_percent_decoded() {
        let request = routed("/a/x%20y/b/%E2%9C%93", vec![3..8, 11..20]);
        assert_eq!(path_param(&request, "param0").as_deref(), Some("x y"));
        assert_eq!(path_param(&request, "param1").as_deref(), Some("✓"));
        assert_eq!(path_param(&request, "param2"), None);
        assert_eq!(path_param(&request, "item_id"), None);
    }

    #[test]
    fn a_segment_that_is_not_utf8_once_decoded_is_no_value() {
        let request = routed("/a/%FF", vec![3..6]);
        assert_eq!(path_param(&request, "param0"), None);
    }

    #[test]
    fn without_routed_params_poem_routers_are_read() {
        let request = Request::builder().uri_str("/a/b").finish();
        assert_eq!(path_param(&request, "param0"), None);
    }
}
