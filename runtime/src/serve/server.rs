//! The accept loop: each connection served by hyper (HTTP/1.1, or HTTP/2 with prior
//! knowledge), each request handed to the endpoint as a `poem::Request`.
//!
//! poem's `Server` does the same with more around it, all paid per request or per read:
//! it boxes every connection's stream and splits it into halves behind a lock, wraps the
//! endpoint in two more boxed layers, and selects over two cancellation tokens on every
//! wake-up of a connection. Here the stream is [`Guarded`]'s, unboxed; the endpoint is called
//! directly; shutdown is hyper-util's graceful watcher.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use poem::listener::{Acceptor, TcpAcceptor};
use poem::{Endpoint, Request, Response};

use super::Guarded;

/// The body type poem converts its responses into.
type Body = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

/// Serves `endpoint` on the connections `acceptor` accepts until `shutdown` completes, then
/// closes idle connections and waits up to `grace` for requests in flight to finish.
pub(super) async fn run<E: Endpoint<Output = Response> + 'static>(
    mut acceptor: Guarded<TcpAcceptor>,
    endpoint: E,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) -> std::io::Result<()> {
    let endpoint = Arc::new(endpoint);
    let graceful = GracefulShutdown::new();
    let builder = auto::Builder::new(TokioExecutor::new());
    tokio::pin!(shutdown);
    loop {
        let (io, local, remote, scheme) = tokio::select! {
            () = &mut shutdown => break,
            accepted = acceptor.accept() => accepted?,
        };
        let endpoint = endpoint.clone();
        let service = hyper::service::service_fn(move |req: poem::http::Request<Incoming>| {
            let request = Request::from((req, local.clone(), remote.clone(), scheme.clone()));
            let endpoint = endpoint.clone();
            // Boxed: hyper moves the future it is given into its dispatcher, and this one holds
            // the whole request's state (about 2 KB; 1,900 instructions of copying a GET).
            Box::pin(async move {
                let response: poem::http::Response<Body> =
                    endpoint.get_response(request).await.into();
                Ok::<_, Infallible>(response)
            })
        });
        let connection = builder
            .serve_connection(TokioIo::new(io), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A connection that fails (reset, malformed HTTP/2) ends; hyper has answered what
            // could be answered.
            let _ = connection.await;
        });
    }
    drop(acceptor);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(grace_seconds = grace.as_secs(), "requests still in flight at shutdown");
        }
    }
    Ok(())
}
