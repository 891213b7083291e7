//! `hyper-constant`: a hyper 1 server that answers every request with 200 and the JSON of
//! item foo, whatever was asked, without routing, parsing or storing anything. The ceiling of
//! any HTTP/1.1 server on the machine, for scale next to the items servers.
//!
//! `hyper-constant [--listen ADDR] [--seed]` (`--seed` is accepted and ignored)

use std::convert::Infallible;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

const BODY: &[u8] = br#"{"name":"Fighters","size":6}"#;

async fn answer(_req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut response = Response::new(Full::new(Bytes::from_static(BODY)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}

#[tokio::main]
async fn main() {
    let args = baselines::Args::parse("hyper-constant");
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {}: {e}", args.listen));
    eprintln!(
        "hyper-constant listening on http://{}",
        listener.local_addr().unwrap()
    );
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                eprintln!("accept failed: {e}");
                continue;
            }
        };
        // Default socket options (no TCP_NODELAY), as axum::serve and poem use.
        tokio::spawn(async move {
            // Errors of one connection (a client gone mid-request) concern no one else.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(answer))
                .await;
        });
    }
}
