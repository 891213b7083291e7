//! A generated API's operations as one poem endpoint, routed with fewer layers than
//! poem-openapi's own service.
//!
//! `OpenApiService::into_endpoint` routes each request through a boxed endpoint that maps
//! the response, parses the query string into an extension, keeps a cookie jar, matches the
//! path and then the method, and calls the operation's endpoint. Every one of those layers
//! holds the request (472 bytes) in its future and moves it into the next. [`Routes::new`]
//! keeps poem-openapi's operation endpoints (extraction, validation, the handler call, the
//! response: the code that decides what a client gets) and poem's path router, and replaces
//! the layers around them with one endpoint that parses the query and keeps the cookie jar
//! only when the API reads them. A differential test (`tests/contract/routes.rs`) sends the
//! same requests through both and compares the answers.

use std::collections::HashMap;

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
                route.at(path, methods)
            });
        let endpoint = Operations {
            route,
            query: reads.query,
        };
        let endpoint = if reads.cookies {
            endpoint.with(CookieJarManager::new()).boxed()
        } else {
            endpoint.boxed()
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

/// Which parts of a request the operations of an API read besides the path, headers and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reads {
    /// A query parameter (poem-openapi's `Query` reads the parsed query string from the
    /// request's extensions, and panics without it) or an API key in the query.
    query: bool,
    /// A cookie parameter or an API key in a cookie: both read poem's cookie jar.
    cookies: bool,
}

impl Reads {
    fn of<T: OpenApi>() -> Self {
        let mut reads = Reads {
            query: false,
            cookies: false,
        };
        let params = T::meta()
            .into_iter()
            .flat_map(|api| api.paths)
            .flat_map(|path| path.operations)
            .flat_map(|operation| operation.params);
        for param in params {
            reads.note(param.in_type);
        }
        let mut registry = Registry::new();
        T::register(&mut registry);
        for scheme in registry.security_schemes.values() {
            match scheme.key_in {
                Some("query") => reads.note(MetaParamIn::Query),
                Some("cookie") => reads.note(MetaParamIn::Cookie),
                _ => {}
            }
        }
        reads
    }

    fn note(&mut self, place: MetaParamIn) {
        match place {
            MetaParamIn::Query => self.query = true,
            MetaParamIn::Cookie | MetaParamIn::CookiePrivate | MetaParamIn::CookieSigned => {
                self.cookies = true
            }
            MetaParamIn::Header | MetaParamIn::Path => {}
        }
    }
}

/// Routes a request to its operation: path, then method (`HEAD` served by `GET` when the
/// path has no `HEAD` of its own: poem's `RouteMethod`, as in poem-openapi's service).
struct Operations {
    route: Route,
    /// Whether to parse the query string for the operations (see [`Reads::query`]).
    query: bool,
}

impl Endpoint for Operations {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        if self.query {
            // As poem-openapi's service does: a malformed query string is no pairs.
            let pairs: Vec<(String, String)> = req.params().unwrap_or_default();
            req.extensions_mut().insert(UrlQuery(pairs));
        }
        self.route.call(req).await
    }
}
