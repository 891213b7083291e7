//! Every parameter of a request checked before any is rejected.
//!
//! poem-openapi extracts an operation's parameters one after another and answers the first
//! failure at once, so a request with a bad path, a bad query and a bad header learns of one.
//! The generated adapter instead wraps each parameter in [`Checked`]: a failure (of parsing
//! or of the spec's constraints, its [`Rules`]) is noted and the next parameter is read.
//! [`ParamsChecked`], extracted after the last parameter, then rejects the request with all
//! of them ([`ParamsRejected`]), before any body is read.
//!
//! The notes live in a thread-local keyed by the request's address: parameter extractors
//! finish without suspending (they read the path, query and headers, all in memory), so the
//! notes of one request are written and taken in one poll, on one thread.

use std::cell::RefCell;
use std::future::Future;
use std::marker::PhantomData;
use std::task::{Context, Poll, Waker};

use poem::http::StatusCode;
use poem::{Request, RequestBody};
use poem_openapi::error::{ParseParamError, ParsePathError};
use poem_openapi::registry::{MetaParamIn, MetaRequest, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::validation::Validator;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

/// The spec's constraints on one parameter (`minimum`, `maxLength`, …), checked on the
/// extracted parameter `E` as poem-openapi's `#[oai(validator(...))]` checks it. The
/// generated code implements it for each constrained parameter; [`NoRules`] is the rest.
pub trait Rules<E> {
    /// `Err` with poem-openapi's wording (`verification failed. maximum(100, …)`) when the
    /// value breaks a constraint.
    fn check(param: &E) -> Result<(), String>;
}

/// A parameter without constraints of its own.
#[derive(Debug, Clone, Copy)]
pub struct NoRules;

impl<E> Rules<E> for NoRules {
    fn check(_: &E) -> Result<(), String> {
        Ok(())
    }
}

/// Checks the extracted parameter `param` as poem-openapi's parameter validators do: each
/// validator in turn, on the value's raw form, an absent optional value passing all of them.
pub fn check_validators<'a, E>(
    param: &E,
    validators: &[&dyn Validator<<E::ParamRawType as Type>::RawValueType>],
) -> Result<(), String>
where
    E: ApiExtractor<'a>,
    E::ParamRawType: Type,
{
    let Some(raw) = param.param_raw_type().and_then(Type::as_raw_value) else {
        return Ok(());
    };
    match validators.iter().find(|v| !v.check(raw)) {
        Some(failed) => Err(format!("verification failed. {failed}")),
        None => Ok(()),
    }
}

/// One parameter's problem, as [`ParamsRejected`] reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamProblem {
    /// `path`, `query`, `header` or `cookie`.
    pub location: &'static str,
    /// The name poem-openapi extracts it by (`param0` for the first path parameter).
    pub name: &'static str,
    /// What is wrong, in poem-openapi's wording.
    pub reason: String,
}

/// The parameter extractor `E`, whose failure is noted for [`ParamsChecked`] instead of
/// ending the extraction; `R` adds the spec's constraints. Holds `None` when it failed, which
/// the handler never sees: [`ParamsChecked`] rejects the request first.
pub struct Checked<E, R = NoRules>(pub Option<E>, PhantomData<fn() -> R>);

impl<E, R> Checked<E, R> {
    /// The extracted parameter. `Err` only if its failure was not reported by
    /// [`ParamsChecked`], which the extraction order rules out; it is answered as a 400.
    pub fn value(self) -> poem::Result<E> {
        self.0.ok_or_else(|| {
            ParamsRejected {
                problems: Vec::new(),
            }
            .into()
        })
    }
}

impl<'a, E, R> ApiExtractor<'a> for Checked<E, R>
where
    E: ApiExtractor<'a> + Send,
    R: Rules<E>,
{
    const TYPES: &'static [ApiExtractorType] = E::TYPES;
    const PARAM_IS_REQUIRED: bool = E::PARAM_IS_REQUIRED;
    type ParamType = E::ParamType;
    type ParamRawType = E::ParamRawType;

    fn register(registry: &mut Registry) {
        E::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        E::security_schemes()
    }

    fn has_security_fallback() -> bool {
        E::has_security_fallback()
    }

    fn param_in() -> Option<MetaParamIn> {
        E::param_in()
    }

    fn param_schema_ref() -> Option<MetaSchemaRef> {
        E::param_schema_ref()
    }

    fn request_meta() -> Option<MetaRequest> {
        E::request_meta()
    }

    /// None: `R` has checked the value already. (poem-openapi's derive checks the value
    /// this returns against the `#[oai(validator(...))]` of the parameter, which the
    /// generated code keeps for the document poem-openapi derives, and which `R` repeats.)
    fn param_raw_type(&self) -> Option<&Self::ParamRawType> {
        None
    }

    fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> impl Future<Output = poem::Result<Self>> + Send {
        let name = param_opts.name;
        let location = match E::param_in() {
            Some(MetaParamIn::Path) => "path",
            Some(MetaParamIn::Header) => "header",
            Some(MetaParamIn::Cookie | MetaParamIn::CookiePrivate | MetaParamIn::CookieSigned) => {
                "cookie"
            }
            _ => "query",
        };
        let reason = match extract_now(E::from_request(request, body, param_opts)) {
            Ok(value) => match R::check(&value) {
                Err(reason) => reason,
                Ok(()) => return std::future::ready(Ok(Checked(Some(value), PhantomData))),
            },
            Err(err) => {
                if let Some(e) = err.downcast_ref::<ParsePathError>() {
                    e.reason.clone()
                } else if let Some(e) = err.downcast_ref::<ParseParamError>() {
                    e.reason.clone()
                } else {
                    err.to_string()
                }
            }
        };
        note(
            request,
            ParamProblem {
                location,
                name,
                reason,
            },
        );
        std::future::ready(Ok(Checked(None, PhantomData)))
    }
}

/// The outcome of a parameter extractor, which reads the request's path, query or headers
/// and so finishes at its first poll. Polled here, not awaited: awaiting a generic
/// extractor's future inside another trips rust-lang/rust#100013 in the derive's `Send`
/// check, which poem-openapi works around with an allocation per extractor.
fn extract_now<E>(extraction: impl Future<Output = poem::Result<E>>) -> poem::Result<E> {
    let extraction = std::pin::pin!(extraction);
    match extraction.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(poem::Error::from_string(
            "the parameter's extractor waits for more than the request's head",
            StatusCode::BAD_REQUEST,
        )),
    }
}

/// [`Checked`] spelt for a path parameter. poem-openapi's `OpenApi` derive knows a path
/// parameter by a segment named `Path` in the path of its type (it then routes and extracts
/// it as `param0`, `param1`, …), so a checked [`PathParam<T>`](crate::PathParam) is written
/// `codegen_runtime::param::Path<T, R>`.
pub mod param {
    /// A checked [`PathParam<T>`](crate::PathParam) with the constraints `R`.
    pub type Path<T, R = super::NoRules> = super::Checked<crate::PathParam<T>, R>;
}

/// Extracted after an operation's last parameter: rejects the request with every problem
/// its [`Checked`] parameters noted.
#[derive(Debug, Clone, Copy)]
pub struct ParamsChecked;

// An extractor of poem-openapi's own kind rather than a `poem::FromRequest`, whose adapter
// allocates per request.
impl<'a> ApiExtractor<'a> for ParamsChecked {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::PoemExtractor];
    type ParamType = ();
    type ParamRawType = ();

    fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<()>,
    ) -> impl Future<Output = poem::Result<Self>> + Send {
        let problems = take(request);
        std::future::ready(if problems.is_empty() {
            Ok(ParamsChecked)
        } else {
            Err(ParamsRejected { problems }.into())
        })
    }
}

/// A request whose parameters have problems: all of them, in the operation's order.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamsRejected {
    /// Each parameter's problem.
    pub problems: Vec<ParamProblem>,
}

impl std::fmt::Display for ParamsRejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.problems.is_empty() {
            return f.write_str("a parameter could not be read");
        }
        for (i, p) in self.problems.iter().enumerate() {
            let sep = if i == 0 { "" } else { "; " };
            write!(
                f,
                "{sep}failed to parse {} `{}`: {}",
                p.location, p.name, p.reason
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ParamsRejected {}

impl poem::error::ResponseError for ParamsRejected {
    fn status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }
}

std::thread_local! {
    /// The request (by address) whose problems are noted, and those problems.
    static NOTES: RefCell<(usize, Vec<ParamProblem>)> = const { RefCell::new((0, Vec::new())) };
}

fn note(request: &Request, problem: ParamProblem) {
    let key = std::ptr::from_ref(request) as usize;
    NOTES.with_borrow_mut(|(noted, problems)| {
        if *noted != key {
            // Left by a request whose extraction stopped early (a panic): not this one's.
            problems.clear();
            *noted = key;
        }
        problems.push(problem);
    });
}

fn take(request: &Request) -> Vec<ParamProblem> {
    let key = std::ptr::from_ref(request) as usize;
    NOTES.with_borrow_mut(|(noted, problems)| {
        if *noted == key {
            *noted = 0;
            std::mem::take(problems)
        } else {
            Vec::new()
        }
    })
}

#[cfg(test)]
mod tests {
    use poem::Endpoint;
    use poem_openapi::param::{Header, Query};
    use poem_openapi::payload::PlainText;
    use poem_openapi::validation::{MaxLength, Maximum};

    use super::*;

    struct AtMost100;

    impl Rules<Query<i32>> for AtMost100 {
        fn check(param: &Query<i32>) -> Result<(), String> {
            check_validators(param, &[&Maximum::new(100.0, false)])
        }
    }

    struct Short;

    impl Rules<Header<Option<String>>> for Short {
        fn check(param: &Header<Option<String>>) -> Result<(), String> {
            check_validators(param, &[&MaxLength::new(3)])
        }
    }

    impl Rules<crate::PathParam<String>> for Short {
        fn check(param: &crate::PathParam<String>) -> Result<(), String> {
            check_validators(param, &[&MaxLength::new(3)])
        }
    }

    struct Api;

    #[poem_openapi::OpenApi]
    impl Api {
        /// Three parameters in three locations, each checked.
        #[oai(path = "/items/:item_id", method = "get")]
        async fn get(
            &self,
            item_id: param::Path<String, Short>,
            limit: Checked<Query<i32>, AtMost100>,
            #[oai(name = "X-Tag")] tag: Checked<Header<Option<String>>, Short>,
            _checked: ParamsChecked,
        ) -> poem::Result<PlainText<String>> {
            let (id, limit, tag) = (item_id.value()?.0, limit.value()?.0, tag.value()?.0);
            Ok(PlainText(format!("{id} {limit} {tag:?}")))
        }
    }

    /// The status and body of `GET uri`, with a rejection's problems as its body.
    async fn get(uri: &str, tag: Option<&str>) -> (u16, String) {
        let app = poem::Route::new().nest("/", poem_openapi::OpenApiService::new(Api, "t", "1"));
        let mut req = Request::builder().uri(uri.parse().unwrap());
        if let Some(value) = tag {
            req = req.header("X-Tag", value);
        }
        match app.call(req.finish()).await {
            Ok(res) => (
                res.status().as_u16(),
                res.into_body().into_string().await.unwrap(),
            ),
            Err(err) => (
                err.status().as_u16(),
                match err.downcast_ref::<ParamsRejected>() {
                    Some(rejected) => format!("{:?}", rejected.problems),
                    None => err.to_string(),
                },
            ),
        }
    }

    #[tokio::test]
    async fn every_failing_parameter_is_reported_in_order() {
        let (status, body) = get("/items/toolong?limit=500", Some("toolong")).await;
        assert_eq!(status, 400);
        let problems = [
            ParamProblem {
                location: "path",
                // poem-openapi routes and extracts path parameters as `param0`, `param1`, ….
                name: "param0",
                reason: "verification failed. maxLength(3)".into(),
            },
            ParamProblem {
                location: "query",
                name: "limit",
                reason: "verification failed. maximum(100, exclusive: false)".into(),
            },
            ParamProblem {
                location: "header",
                name: "X-Tag",
                reason: "verification failed. maxLength(3)".into(),
            },
        ];
        assert_eq!(body, format!("{problems:?}"));
    }

    #[tokio::test]
    async fn parse_failures_and_missing_parameters_are_noted_with_rule_failures() {
        let (status, body) = get("/items/abc?limit=many", Some("toolong")).await;
        assert_eq!(status, 400);
        assert!(body.contains("invalid digit"), "{body}");
        assert!(body.contains("X-Tag"), "{body}");
        let (_, body) = get("/items/abcd", None).await;
        assert!(body.contains("param0") && body.contains("limit"), "{body}");
    }

    #[tokio::test]
    async fn valid_parameters_pass_and_a_rejection_leaves_nothing_for_the_next_request() {
        assert_eq!(
            get("/items/abc?limit=100", None).await,
            (200, "abc 100 None".into())
        );
        assert_eq!(get("/items/abcd?limit=500", None).await.0, 400);
        assert_eq!(
            get("/items/a?limit=1", Some("x")).await,
            (200, "a 1 Some(\"x\")".into())
        );
    }

    #[test]
    fn an_extractor_that_waits_is_a_problem_not_a_hang() {
        let waits = extract_now(std::future::pending::<poem::Result<()>>());
        assert_eq!(waits.unwrap_err().status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn a_parameter_whose_failure_was_not_noted_is_a_400() {
        let Err(lost) = Checked::<Query<i32>>(None, PhantomData).value() else {
            panic!("a parameter that failed has no value");
        };
        assert_eq!(lost.status(), StatusCode::BAD_REQUEST);
        assert_eq!(lost.to_string(), "a parameter could not be read");
    }
}
