//! A generated API's operations as one poem endpoint, routed with fewer layers than
//! poem-openapi's own service.
//!
//! `OpenApiService::into_endpoint` routes each request through a boxed endpoint that maps
//! the response, parses the query string into an extension, keeps a cookie jar, matches the
//! path and then the method, and calls the operation's endpoint. Every one of those layers
//! holds the request (472 bytes) in its future and moves it into the next. [`Routes::new`]
//! keeps poem-openapi's operation endpoints (extraction, validation, the handler call, the
//! response: the code that decides what a client gets) and poem's path router, and replaces
//! the layers around them: the query is parsed for the paths whose operations read it, and
//! the cookie jar kept only if an operation reads a cookie. A differential test
//! (`tests/contract/routes.rs`) sends the same requests through both and compares the
//! answers; the goldens' run-time tests do the same for cookies and API keys.

use std::collections::{HashMap, HashSet};

use poem::middleware::CookieJarManager;
use poem::{Endpoint, EndpointExt, IntoEndpoint, Request, Response, Route, RouteMethod};
// Not re-exported elsewhere; poem-openapi's own service and derives use it from here too.
use poem_openapi::__private::UrlQuery;
use poem_openapi::registry::{MetaParamIn, Registry};
use poem_openapi::{OpenApi, OpenApiService};

/// The operations of a generated API, ready for [`serve_api`](super::serve_api): the generated
/// `Api(handlers)` converts into them ([`Routes::new`]).
pub struct Routes {
    endpoint: poem::endpoint::BoxEndpoint<'static, Response>,
}

impl Routes {
    /// `api`'s operations (the generated `Api(handlers)`), with the layers above them cut to
    /// what the API uses.
    pub fn new<T: OpenApi + 'static>(api: T) -> Self {
        let reads = Reads::of::<T>();
        let mut table = HashMap::new();
        api.add_routes(&mut table);
        let route = table
            .into_iter()
            .fold(Route::new(), |route, (path, methods)| {
                let methods = methods
                    .into_iter()
                    .fold(RouteMethod::new(), |m, (method, ep)| m.method(method, ep));
                if reads.query(&path) {
                    route.at(path, WithQuery(methods))
                } else {
                    route.at(path, methods)
                }
            });
        let endpoint = if reads.cookies {
            route.with(CookieJarManager::new()).boxed()
        } else {
            route.boxed()
        };
        Routes { endpoint }
    }

    /// The endpoint, for `serve_api`.
    pub(super) fn into_endpoint(self) -> poem::endpoint::BoxEndpoint<'static, Response> {
        self.endpoint
    }

    /// poem-openapi's own service for the API, with all its layers: what [`Routes::new`] is
    /// checked against.
    pub fn layered<T: OpenApi + 'static>(service: OpenApiService<T, ()>) -> Self {
        Routes {
            endpoint: service.into_endpoint().map_to_response().boxed(),
        }
    }
}

impl<T: OpenApi + 'static> From<T> for Routes {
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
    let mut routed = String::new();
    let mut count = 0;
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        routed.push('/');
        if segment.starts_with('{') && segment.ends_with('}') {
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

/// The operations of a path whose operations read the query: parses it first, as
/// poem-openapi's service does for every request (a malformed query string is no pairs).
struct WithQuery<E>(E);

impl<E: Endpoint> Endpoint for WithQuery<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> poem::Result<Self::Output> {
        let pairs: Vec<(String, String)> = req.params().unwrap_or_default();
        req.extensions_mut().insert(UrlQuery(pairs));
        self.0.call(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_paths_are_named_as_poem_openapi_routes_them() {
        assert_eq!(routed_path("/"), "/");
        assert_eq!(routed_path("/items"), "/items");
        assert_eq!(routed_path("/items/{item_id}"), "/items/:param0");
        assert_eq!(routed_path("/a/{x}/b/{y}"), "/a/:param0/b/:param1");
    }
}
