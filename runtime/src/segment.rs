//! Path parameters inside a segment that also holds literal text: `/Calls/{Sid}.json`,
//! `/stream.{container}`, `/{segmentId}.{ext}`, `/reports/f(period='{period}')`.
//!
//! poem routes whole segments (its regex segments are lost when a later route splits the
//! static text before them), so the generator routes such a segment as one parameter and
//! each spec parameter is read from it by [`PathPiece`]: the literal text around the
//! parameters is stripped and the rest split at the literals between them, in order.

use std::marker::PhantomData;

use poem::{Request, RequestBody};
use poem_openapi::error::ParsePathError;
use poem_openapi::types::ParseFromParameter;
use poem_openapi::{ApiExtractor, ExtractParamOptions};

/// One routed path segment: the name poem-openapi gives it and the text around its parameters.
pub trait SegmentTemplate {
    /// The route parameter poem-openapi reads it from (`param1`: segments are numbered in
    /// path order).
    const ROUTE_PARAM: &'static str;
    /// The literal text before, between and after the parameters: one more than there are
    /// parameters (`["", ".json"]` for `{Sid}.json`; `["", ""]` for a whole segment).
    const LITERALS: &'static [&'static str];
}

/// Splits `value` along `literals`; `None` when it does not have their shape or a piece is
/// empty (a path parameter always has a value). Between two parameters the first
/// occurrence of the literal separates them.
pub fn split_segment<'v>(value: &'v str, literals: &[&str]) -> Option<Vec<&'v str>> {
    let (first, rest) = literals.split_first()?;
    let (last, middle) = rest.split_last()?;
    let mut tail = value.strip_prefix(first)?.strip_suffix(last)?;
    let mut pieces = Vec::with_capacity(middle.len() + 1);
    for literal in middle {
        // `find` from 1: a piece is never empty, so `..x` does not split at 0.
        let at = tail.get(1..)?.find(literal)? + 1;
        pieces.push(&tail[..at]);
        tail = &tail[at + literal.len()..];
    }
    pieces.push(tail);
    pieces.iter().all(|p| !p.is_empty()).then_some(pieces)
}

/// The spec's `I`th parameter of the segment `S`, parsed as a path parameter of type `T`
/// (validators in `#[oai(...)]` see `T`, as for poem-openapi's `Path`).
#[derive(Debug, Clone, PartialEq)]
pub struct PathPiece<T, S, const I: usize>(pub T, PhantomData<S>);

impl<T, S, const I: usize> PathPiece<T, S, I> {
    /// The value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<'a, T: ParseFromParameter, S: SegmentTemplate + Send + Sync, const I: usize> ApiExtractor<'a>
    for PathPiece<T, S, I>
{
    parameter_items!(Path);

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let fail = |reason: String| {
            poem::Error::from(ParsePathError {
                name: param_opts.name,
                reason,
            })
        };
        let segment = crate::path_param(request, S::ROUTE_PARAM)
            .ok_or_else(|| fail("the path has no such segment".to_owned()))?;
        let piece = split_segment(&segment, S::LITERALS)
            .and_then(|pieces| pieces.get(I).copied())
            .ok_or_else(|| {
                fail(format!(
                    "the path segment `{segment}` does not have the form `{}`",
                    S::LITERALS.join("{…}")
                ))
            })?;
        T::parse_from_parameter(piece)
            .map(|value| Self(value, PhantomData))
            .map_err(|err| fail(err.into_message()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_stripped_and_split() {
        assert_eq!(
            split_segment("AC12.json", &["", ".json"]),
            Some(vec!["AC12"])
        );
        assert_eq!(
            split_segment("stream.mp4", &["stream.", ""]),
            Some(vec!["mp4"])
        );
        assert_eq!(split_segment("7.ts", &["", ".", ""]), Some(vec!["7", "ts"]));
        assert_eq!(
            split_segment("f(a='x.y',b=2)", &["f(a='", "',b=", ")"]),
            Some(vec!["x.y", "2"])
        );
        assert_eq!(split_segment("whole", &["", ""]), Some(vec!["whole"]));
    }

    #[test]
    fn a_segment_of_another_shape_or_with_an_empty_piece_is_refused() {
        assert_eq!(split_segment("AC12.xml", &["", ".json"]), None);
        assert_eq!(split_segment(".json", &["", ".json"]), None);
        assert_eq!(split_segment("7.", &["", ".", ""]), None);
        assert_eq!(split_segment(".ts", &["", ".", ""]), None);
        assert_eq!(split_segment("", &["", ""]), None);
    }

    struct Json;
    impl SegmentTemplate for Json {
        const ROUTE_PARAM: &'static str = "param0";
        const LITERALS: &'static [&'static str] = &["", ".", ""];
    }

    #[tokio::test]
    async fn pieces_are_read_from_the_routed_segment_and_parsed() {
        let app = poem::Route::new().at(
            "/:param0",
            poem::endpoint::make(|request: Request| async move {
                let mut body = RequestBody::default();
                let id = <PathPiece<i64, Json, 0>>::from_request(
                    &request,
                    &mut body,
                    ExtractParamOptions {
                        name: "id",
                        ..Default::default()
                    },
                )
                .await
                .map(|p| p.0);
                let ext = <PathPiece<String, Json, 1>>::from_request(
                    &request,
                    &mut body,
                    ExtractParamOptions {
                        name: "ext",
                        ..Default::default()
                    },
                )
                .await
                .map(|p| p.0);
                format!("{id:?} {ext:?}")
            }),
        );
        let get = |uri: &'static str| {
            let request = Request::builder().uri(uri.parse().unwrap()).finish();
            let response = poem::Endpoint::get_response(&app, request);
            async move { response.await.into_body().into_string().await.unwrap() }
        };

        assert_eq!(get("/7.ts").await, "Ok(7) Ok(\"ts\")");
        let bad = get("/x.ts").await;
        assert!(bad.starts_with("Err("), "{bad}");
        let shapeless = get("/7").await;
        assert!(shapeless.contains("does not have the form"), "{shapeless}");
    }
}
