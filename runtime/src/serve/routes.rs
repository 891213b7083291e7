//! A generated API's operations as one poem endpoint, routed with fewer layers than
//! poem-openapi's own service.
//!
//! `OpenApiService::into_endpoint` routes each request through a boxed endpoint that maps
//! the response, parses the query string into an extension, keeps a cookie jar, matches the
//! path (poem's `Route`, which boxes and maps again) and then the method (`RouteMethod`, the
//! same), and calls the operation's endpoint. Every one of those layers holds the request
//! (472 bytes) in its future and moves it into the next. [`Routes::new`] takes the operations'
//! endpoints the generator writes ([`Operations`]: the derive's extraction, validation and
//! handler call, the response converted by the generated `Respond`; [`Routes::derived`] takes
//! the derive's own) and replaces the layers around them with one [`Router`]: it
//! matches the path and the method as poem's do, leaves the matched segments for
//! [`PathParam`](crate::PathParam), parses the query only for the paths whose operations read
//! it, and the cookie jar is kept only if an operation reads a cookie. A differential test
//! (`tests/contract/routes.rs`, and `examples/corpus/tests/routes.rs` on five more APIs) sends
//! the same requests through both and compares the answers; the goldens' run-time tests do the
//! same for cookies, API keys and segments with literal text.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use poem::error::{MethodNotAllowedError, NotFoundError};
use poem::http::Method;
use poem::middleware::CookieJarManager;
use poem::{Endpoint, EndpointExt, IntoEndpoint, Request, Response};
// Not re-exported elsewhere; poem-openapi's own service and derives use it from here too.
use poem_openapi::__private::UrlQuery;
use poem_openapi::registry::{MetaParamIn, Registry};
use poem_openapi::{OpenApi, OpenApiService};

use crate::Operations;

/// An operation's endpoint.
type OperationEndpoint = poem::endpoint::BoxEndpoint<'static, Response>;

/// The operations of a generated API, ready for [`serve_api`](super::serve_api): the generated
/// `Api(handlers)` converts into them ([`Routes::new`]).
pub struct Routes {
    endpoint: Layers,
}

/// What [`Routes`] calls: the router itself, or an endpoint around it (poem's router, the
/// cookie jar, poem-openapi's service), boxed.
enum Layers {
    /// Called directly: its future is part of the caller's, not boxed on its own.
    Router(Router),
    Boxed(poem::endpoint::BoxEndpoint<'static, Response>),
}

impl Routes {
    /// `api`'s operations (the generated `Api(handlers)`) as the generator writes them
    /// ([`Operations`]), with the layers above them cut to what the API uses.
    pub fn new<T: OpenApi + Operations + 'static>(api: T) -> Self {
        let mut table: HashMap<String, HashMap<Method, OperationEndpoint>> = HashMap::new();
        for operation in api.operations() {
            table
                .entry(poem_path(operation.path))
                .or_default()
                .insert(operation.method, operation.endpoint);
        }
        Self::routed::<T>(table)
    }

    /// `api`'s operations as poem-openapi's derive makes them (`OpenApi::add_routes`), with
    /// the layers above them cut as for [`Routes::new`]: for an API whose path parameters are
    /// read by [`PathParam`](crate::PathParam) but that has no generated [`Operations`].
    /// A hand-written poem-openapi API whose operations take `poem_openapi::param::Path`
    /// reads poem's router only: serve it with [`Routes::layered`].
    pub fn derived<T: OpenApi + 'static>(api: T) -> Self {
        let mut table = HashMap::new();
        api.add_routes(&mut table);
        Self::routed::<T>(table)
    }

    fn routed<T: OpenApi>(table: HashMap<String, HashMap<Method, OperationEndpoint>>) -> Self {
        let reads = Reads::of::<T>();
        let endpoint = match table.keys().all(|path| routable(path)) {
            true => {
                let router = Router::new(table.into_iter().map(|(path, methods)| RoutedPath {
                    query: reads.query(&path),
                    segments: segments(&path),
                    methods: methods.into_iter().collect(),
                }));
                match reads.cookies {
                    true => Layers::Boxed(router.with(CookieJarManager::new()).boxed()),
                    false => Layers::Router(router),
                }
            }
            false => {
                let route = poem_route(table, &reads);
                match reads.cookies {
                    true => Layers::Boxed(route.with(CookieJarManager::new()).boxed()),
                    false => Layers::Boxed(route.boxed()),
                }
            }
        };
        Routes { endpoint }
    }

    /// Answers `req`, for `serve_api`'s dispatch.
    pub(super) async fn call(&self, req: Request) -> poem::Result<Response> {
        match &self.endpoint {
            Layers::Router(router) => router.call(req).await,
            Layers::Boxed(endpoint) => endpoint.call(req).await,
        }
    }

    /// poem-openapi's own service for the API, with all its layers: what [`Routes::new`] is
    /// checked against.
    pub fn layered<T: OpenApi + 'static>(service: OpenApiService<T, ()>) -> Self {
        Routes {
            endpoint: Layers::Boxed(service.into_endpoint().map_to_response().boxed()),
        }
    }
}

impl<T: OpenApi + Operations + 'static> From<T> for Routes {
    fn from(api: T) -> Self {
        Routes::new(api)
    }
}

/// What the operations of an API read besides the path, headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reads {
    /// The paths (as poem-openapi routes them: `/items/:param0`) of the operations that read
    /// the query: a query parameter (poem-openapi's `Query` takes the parsed query string from
    /// the request's extensions, and panics without it) or any security scheme.
    query: HashSet<String>,
    /// Every path the meta lists; the query is parsed for any other, to be safe.
    paths: HashSet<String>,
    /// A cookie parameter or an API key in a cookie: both read poem's cookie jar.
    cookies: bool,
}

impl Reads {
    fn of<T: OpenApi>() -> Self {
        let mut registry = Registry::new();
        T::register(&mut registry);
        let key_in = |scheme: &str| registry.security_schemes.get(scheme).and_then(|s| s.key_in);
        let mut reads = Reads {
            query: HashSet::new(),
            paths: HashSet::new(),
            cookies: false,
        };
        for path in T::meta().into_iter().flat_map(|api| api.paths) {
            let routed = routed_path(&path.path);
            for operation in &path.operations {
                let schemes: Vec<&str> = operation
                    .security
                    .iter()
                    .flat_map(|s| s.keys().copied())
                    .collect();
                // poem-openapi's security scheme extractors take the parsed query whatever
                // the scheme (an API key may be in it), and panic without it.
                if !schemes.is_empty() {
                    reads.query.insert(routed.clone());
                }
                let places = operation.params.iter().map(|p| match p.in_type {
                    MetaParamIn::Query => "query",
                    MetaParamIn::Cookie
                    | MetaParamIn::CookiePrivate
                    | MetaParamIn::CookieSigned => "cookie",
                    MetaParamIn::Header | MetaParamIn::Path => "",
                });
                for place in places.chain(schemes.iter().filter_map(|s| key_in(s))) {
                    match place {
                        "query" => {
                            reads.query.insert(routed.clone());
                        }
                        "cookie" => reads.cookies = true,
                        _ => {}
                    }
                }
            }
            reads.paths.insert(routed);
        }
        reads
    }

    /// Whether requests to the routed `path` need the query parsed.
    fn query(&self, path: &str) -> bool {
        self.query.contains(path) || !self.paths.contains(path)
    }
}

/// The path poem-openapi routes for the documented `path`: `/items/{item_id}` is routed as
/// `/items/:param0`, path variables numbered in order (its `convert_oai_path`).
fn routed_path(path: &str) -> String {
    numbered(path, |segment| {
        segment.starts_with('{') && segment.ends_with('}')
    })
}

/// The path poem-openapi's derive routes an operation at, from its `#[oai(path)]`:
/// `/items/:item_id` is routed as `/items/:param0`.
fn poem_path(path: &str) -> String {
    numbered(path, |segment| segment.starts_with(':'))
}

/// `path` with each segment that `is_variable` says is a path variable replaced by the next
/// `:param{N}`; any other segment kept, empty segments dropped.
fn numbered(path: &str, is_variable: impl Fn(&str) -> bool) -> String {
    let mut routed = String::new();
    let mut count = 0;
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        routed.push('/');
        if is_variable(segment) {
            routed.push_str(&format!(":param{count}"));
            count += 1;
        } else {
            routed.push_str(segment);
        }
    }
    if routed.is_empty() {
        routed.push('/');
    }
    routed
}

/// Whether [`Router`] matches `path` as poem's router does: every segment literal text or a
/// whole `:name` parameter. poem's router also starts a parameter or a tail (`*rest`) anywhere
/// in a segment and reads regex segments (`:name<re>`): the generator routes a segment that
/// mixes text and parameters (`summary(period=':segment2`, split by `PathPiece`) that way, and
/// an API with any such path is routed by poem's router.
fn routable(path: &str) -> bool {
    const SYNTAX: [char; 4] = [':', '*', '<', '>'];
    path.split('/').all(|s| match s.strip_prefix(':') {
        Some(name) => !name.is_empty() && !name.contains(SYNTAX),
        None => !s.contains(SYNTAX),
    })
}

/// The operations under poem's `Route` and `RouteMethod`, for paths [`Router`] does not match.
fn poem_route(
    table: HashMap<String, HashMap<Method, poem::endpoint::BoxEndpoint<'static, Response>>>,
    reads: &Reads,
) -> poem::Route {
    table
        .into_iter()
        .fold(poem::Route::new(), |route, (path, methods)| {
            let methods = methods
                .into_iter()
                .fold(poem::RouteMethod::new(), |m, (method, ep)| {
                    m.method(method, ep)
                });
            if reads.query(&path) {
                route.at(path, WithQuery(methods))
            } else {
                route.at(path, methods)
            }
        })
}

/// The operations of a path whose operations read the query, under poem's router: parses it
/// first ([`parse_query`]).
struct WithQuery<E>(E);

impl<E: Endpoint> Endpoint for WithQuery<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> poem::Result<Self::Output> {
        parse_query(&mut req);
        self.0.call(req).await
    }
}

/// Parses the query string into the `UrlQuery` poem-openapi's query and security extractors
/// read, as its service does (a malformed query string is no pairs).
fn parse_query(req: &mut Request) {
    let pairs: Vec<(String, String)> = req.params().unwrap_or_default();
    req.extensions_mut().insert(UrlQuery(pairs));
}

/// One segment of a routed path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Text the request's segment must equal, byte for byte (not decoded, as poem's router).
    Literal(String),
    /// A route parameter (`:param0`): any segment, empty only if more follow.
    Param,
}

/// The segments of a routed path (`/items/:param0`).
fn segments(path: &str) -> Vec<Segment> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| match s.starts_with(':') {
            true => Segment::Param,
            false => Segment::Literal(s.to_owned()),
        })
        .collect()
}

/// A path of the API and its operations.
struct RoutedPath {
    segments: Vec<Segment>,
    /// Whether its operations read the query (it is then parsed first: [`parse_query`]).
    query: bool,
    methods: Vec<(Method, poem::endpoint::BoxEndpoint<'static, Response>)>,
}

impl RoutedPath {
    /// Whether `path` matches; if so `params` holds the byte ranges of its parameters.
    fn matches(&self, path: &str, params: &mut Vec<Range<usize>>) -> bool {
        params.clear();
        let Some(mut rest) = path.strip_prefix('/') else {
            return false;
        };
        let mut at = 1;
        for (i, segment) in self.segments.iter().enumerate() {
            let last = i + 1 == self.segments.len();
            let end = match memchr::memchr(b'/', rest.as_bytes()) {
                Some(end) if !last => end,
                None if last => rest.len(),
                _ => return false,
            };
            let value = &rest[..end];
            match segment {
                Segment::Literal(literal) if literal == value => {}
                Segment::Param if !(last && value.is_empty()) => params.push(at..at + end),
                _ => return false,
            }
            rest = rest.get(end + 1..).unwrap_or_default();
            at += end + 1;
        }
        // `/` is the path of no segments; any other path has at least one.
        self.segments.is_empty() == (path == "/")
    }

    /// Where a literal segment is (`false`) and where a parameter: of two paths that both
    /// match a request (so have as many segments), poem's router takes the one with a literal
    /// at the first place they differ, the smaller of the two.
    fn rank(&self) -> Vec<bool> {
        self.segments
            .iter()
            .map(|s| matches!(s, Segment::Param))
            .collect()
    }
}

/// Matches the path and then the method, as poem's `Route` and `RouteMethod` do, in one
/// endpoint: unknown path, 404 (`NotFoundError`); known path, unknown method, 405
/// (`MethodNotAllowedError`); `HEAD` without an operation of its own is the `GET` without
/// its body.
struct Router {
    /// In the order poem's router prefers them: the first that matches is the route.
    paths: Vec<RoutedPath>,
}

impl Router {
    fn new(paths: impl IntoIterator<Item = RoutedPath>) -> Self {
        let mut paths: Vec<RoutedPath> = paths.into_iter().collect();
        paths.sort_by_cached_key(RoutedPath::rank);
        Router { paths }
    }

    /// The path `path` is routed to, and its parameters' ranges.
    fn route(&self, path: &str) -> Option<(&RoutedPath, Vec<Range<usize>>)> {
        // A path matches only paths of as many segments: one per `/`, but `/` has none.
        let depth = match path {
            "/" => 0,
            _ => memchr::memchr_iter(b'/', path.as_bytes()).count(),
        };
        let mut params = Vec::new();
        let routed = self
            .paths
            .iter()
            .filter(|p| p.segments.len() == depth)
            .find(|p| p.matches(path, &mut params))?;
        Some((routed, params))
    }
}

impl Endpoint for Router {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let Some((routed, params)) = self.route(req.uri().path()) else {
            return Err(NotFoundError.into());
        };
        let find = |method: &Method| routed.methods.iter().find(|(m, _)| m == method);
        let (endpoint, head) = match find(req.method()) {
            Some((_, endpoint)) => (endpoint, false),
            None if req.method() == Method::HEAD => match find(&Method::GET) {
                Some((_, endpoint)) => (endpoint, true),
                None => return Err(MethodNotAllowedError.into()),
            },
            None => return Err(MethodNotAllowedError.into()),
        };
        if !params.is_empty() {
            if let Err(params) = crate::request_id::note_routed_params(params) {
                req.extensions_mut().insert(crate::RoutedParams(params));
            }
        }
        if routed.query {
            parse_query(&mut req);
        }
        if head {
            req.set_method(Method::GET);
        }
        let mut response = endpoint.call(req).await?;
        if head {
            response.set_body(());
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(paths: &[&str]) -> Router {
        Router::new(paths.iter().map(|path| RoutedPath {
            segments: segments(path),
            query: false,
            methods: vec![],
        }))
    }

    /// Which of `paths` `path` is routed to by `router`, and its parameters' values, decoded.
    fn routed(router: &Router, paths: &[&str], path: &str) -> Option<(usize, Vec<String>)> {
        let (routed, params) = router.route(path)?;
        let at = paths
            .iter()
            .position(|p| segments(p) == routed.segments)
            .unwrap();
        let decode = |r: Range<usize>| {
            percent_encoding::percent_decode_str(&path[r])
                .decode_utf8()
                .unwrap()
                .into_owned()
        };
        Some((at, params.into_iter().map(decode).collect()))
    }

    /// Every path against the routes poem's router would pick, parameters included.
    #[test]
    fn paths_are_routed_as_poems_router_routes_them() {
        let paths = [
            "/",
            "/items",
            "/items/:param0",
            "/items/:param0/tags",
            "/items/new",
            "/a/:param0/c",
            "/a/b/:param0",
            "/:param0",
            "/x/:param0/:param1",
        ];
        let router = router(&paths);
        let mut poem = poem::Route::new();
        for (i, path) in paths.iter().enumerate() {
            poem = poem.at(
                path,
                poem::endpoint::make_sync(move |req: Request| {
                    let params: Vec<String> = (0..2)
                        .filter_map(|n| req.raw_path_param(&format!("param{n}")).map(str::to_owned))
                        .collect();
                    format!("{i} {params:?}")
                }),
            );
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for path in [
            "/",
            "//",
            "/items",
            "/items/",
            "/items/foo",
            "/items/foo/",
            "/items//tags",
            "/items/foo/tags",
            "/items/foo/tags/",
            "/items/new",
            "/items/new/tags",
            "/itemsX",
            "/a/b/c",
            "/a/x/c",
            "/a/b/d",
            "/a//c",
            "/a/b/",
            "/foo",
            "/foo/bar",
            "/x/1/2",
            "/x//2",
            "/x/1/",
            "/x/1",
            "/it%65ms",
            "/items/a%2Fb",
            "/items/%20",
        ] {
            let ours = routed(&router, &paths, path).map(|(at, params)| format!("{at} {params:?}"));
            let theirs = runtime.block_on(async {
                let response = poem
                    .call(Request::builder().uri_str(path).finish())
                    .await
                    .ok()?;
                Some(response.into_body().into_string().await.unwrap())
            });
            assert_eq!(ours, theirs, "{path}");
        }
    }

    #[test]
    fn tail_and_regex_segments_are_left_to_poems_router() {
        assert!(routable("/items/:param0"));
        assert!(routable("/"));
        assert!(!routable("/files/*path"));
        assert!(!routable("/items/:id<\\d+>"));
        assert!(!routable("/reports/summary(period=':segment2"));
        assert!(!routable("/v1/jobs/:param0:cancel"));
        assert!(!routable("/calls/x*y"));
    }

    struct Files;

    #[poem_openapi::OpenApi]
    impl Files {
        #[oai(path = "/files/*path", method = "get")]
        async fn file(
            &self,
            path: poem_openapi::param::Path<String>,
        ) -> poem_openapi::payload::PlainText<String> {
            poem_openapi::payload::PlainText(path.0)
        }
    }

    /// poem-openapi does not convert a tail segment to its `param0` names, so its own service
    /// cannot read it either: what matters is that `Routes` answers as that service does.
    #[tokio::test]
    async fn an_api_with_a_tail_segment_is_answered_as_poem_openapis_service_answers() {
        let ours = Routes::derived(Files);
        let theirs = Routes::layered(OpenApiService::new(Files, "", ""));
        for path in ["/files/a/b.txt", "/files/a", "/files", "/other"] {
            assert_eq!(
                answer(&ours, path).await,
                answer(&theirs, path).await,
                "{path}"
            );
        }
    }

    /// The status and body `routes` answers `GET path` with.
    async fn answer(routes: &Routes, path: &str) -> (poem::http::StatusCode, String) {
        let request = Request::builder().uri_str(path).finish();
        let response = match routes.call(request).await {
            Ok(response) => response,
            Err(err) => err.into_response(),
        };
        let status = response.status();
        (status, response.into_body().into_string().await.unwrap())
    }

    #[test]
    fn documented_paths_are_named_as_poem_openapi_routes_them() {
        assert_eq!(routed_path("/"), "/");
        assert_eq!(routed_path("/items"), "/items");
        assert_eq!(routed_path("/items/{item_id}"), "/items/:param0");
        assert_eq!(routed_path("/a/{x}/b/{y}"), "/a/:param0/b/:param1");
        assert_eq!(poem_path("/"), "/");
        assert_eq!(poem_path("/items//x/"), "/items/x");
        assert_eq!(poem_path("/a/:x/b/:y"), "/a/:param0/b/:param1");
        assert_eq!(
            poem_path("/s/summary(p=':segment1')"),
            "/s/summary(p=':segment1')"
        );
    }
}
