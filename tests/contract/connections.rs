//! Connections that stall or pile up: closed after the idle timeout whatever stage they
//! stalled in, capped, and the server keeps answering the connections it has; under a low
//! open-file limit the binary keeps serving instead of spinning.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use items::app::Limits;
use items::store::MemoryStore;

/// Serves the items API with `limits`; returns its address.
async fn serve(limits: Limits) -> std::net::SocketAddr {
    let store = MemoryStore::new();
    items::store::seed(&store).await.unwrap();
    let app = items::app::bind_with("127.0.0.1:0", store, limits)
        .await
        .unwrap();
    let addr = app.local_addr();
    tokio::spawn(app.serve(std::future::pending()));
    addr
}

/// How long until the server closes `conn` (reads to the end; a bound makes it fail, not hang).
async fn closed_after(conn: &mut TcpStream, bound: Duration) -> Duration {
    let started = Instant::now();
    let mut sink = Vec::new();
    tokio::time::timeout(bound, conn.read_to_end(&mut sink))
        .await
        .unwrap_or_else(|_| panic!("still open after {bound:?}"))
        .ok();
    started.elapsed()
}

const GET: &[u8] = b"GET /items/foo HTTP/1.1\r\nHost: x\r\n\r\n";

pub async fn stalled_connections_are_closed_after_the_idle_timeout() {
    let limits = Limits {
        idle: Duration::from_secs(1),
        head: Duration::from_secs(60),
        max_connections: 100,
    };
    let addr = serve(limits).await;
    let bound = Duration::from_secs(5);

    // Nothing at all; half a request line; half the headers; a body that stops.
    for sent in [
        &b""[..],
        b"GET /ite",
        b"GET /items/foo HTTP/1.1\r\nHost: x\r\nAcc",
        b"PUT /items/foo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"na",
    ] {
        let mut conn = TcpStream::connect(addr).await.unwrap();
        conn.write_all(sent).await.unwrap();
        let took = closed_after(&mut conn, bound).await;
        assert!(took >= Duration::from_millis(800), "{:?} closed too early: {took:?}", String::from_utf8_lossy(sent));
    }
    // Idle after a keep-alive request: answered, then closed.
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(GET).await.unwrap();
    let mut first = [0u8; 12];
    conn.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    closed_after(&mut conn, bound).await;
    // The stalled PUT changed nothing.
    let mut check = TcpStream::connect(addr).await.unwrap();
    check
        .write_all(b"GET /items/foo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    check.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.ends_with(r#"{"name":"Fighters","size":6}"#),
        "{answer}"
    );
}

pub async fn a_request_head_trickling_in_is_closed_after_the_header_timeout() {
    let limits = Limits {
        idle: Duration::from_secs(4),
        head: Duration::from_secs(2),
        max_connections: 100,
    };
    let addr = serve(limits).await;

    // One header byte every 300 ms: never silent for the idle timeout, but the head never
    // ends. The server closes it about 2 s after the first byte.
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(b"GET /items/foo HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let trickle = async {
        for b in b"X-Slow: ".iter().cycle() {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if conn.write_all(&[*b]).await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(10), trickle).await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(6),
        "closed after {took:?}"
    );

    // The deadline covers a head, not the time between requests: a keep-alive connection
    // that pauses longer than the header timeout (but less than the idle one) is served.
    let mut conn = TcpStream::connect(addr).await.unwrap();
    for _ in 0..2 {
        conn.write_all(GET).await.unwrap();
        let mut first = [0u8; 12];
        conn.read_exact(&mut first).await.unwrap();
        assert_eq!(&first, b"HTTP/1.1 200");
        let mut rest = [0u8; 1024];
        let _ = tokio::time::timeout(Duration::from_millis(2500), async {
            while conn.read(&mut rest).await.is_ok_and(|n| n > 0) {}
        })
        .await;
    }
}

pub async fn past_the_connection_cap_new_connections_wait_and_are_then_served() {
    let limits = Limits {
        idle: Duration::from_secs(2),
        head: Duration::from_secs(60),
        max_connections: 2,
    };
    let addr = serve(limits).await;
    let idle_1 = TcpStream::connect(addr).await.unwrap();
    let idle_2 = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    let mut third = TcpStream::connect(addr).await.unwrap();
    third
        .write_all(b"GET /items/foo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), third.read_to_string(&mut answer))
        .await
        .expect("served once an idle connection is closed")
        .unwrap();
    let waited = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        waited >= Duration::from_secs(1),
        "answered while two connections held the cap: {waited:?}"
    );
    drop((idle_1, idle_2));
}

/// A client speaking HTTP/2 from its first byte (prior knowledge, as gRPC-style clients and
/// `curl --http2-prior-knowledge` do) is served like an HTTP/1.1 one.
pub async fn an_http2_prior_knowledge_client_is_served() {
    let addr = serve(Limits::default()).await;
    let client = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();

    let response = client
        .get(format!("http://{addr}/items/foo"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"name": "Fighters", "size": 6}));
}

/// At shutdown the server stops accepting and waits for a request in flight (its body still
/// arriving) to be answered before `serve` returns (and with it, in the binary, the process).
pub async fn shutdown_lets_a_request_in_flight_finish() {
    let store = MemoryStore::new();
    items::store::seed(&store).await.unwrap();
    let app = items::app::bind_with("127.0.0.1:0", store, Limits::default())
        .await
        .unwrap();
    let addr = app.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.serve(async {
        let _ = stopped.await;
    }));
    let mut in_flight = TcpStream::connect(addr).await.unwrap();
    let body = br#"{"name":"Late","size":1}"#;
    let head = format!(
        "PUT /items/late HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    in_flight.write_all(head.as_bytes()).await.unwrap();
    in_flight.write_all(&body[..5]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!server.is_finished(), "stopped with a request in flight");
    in_flight.write_all(&body[5..]).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(
        Duration::from_secs(5),
        in_flight.read_to_string(&mut answer),
    )
    .await
    .expect("answered and closed")
    .unwrap();

    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops once nothing is in flight")
        .unwrap()
        .unwrap();
    assert!(TcpStream::connect(addr).await.is_err(), "still accepting");
}

/// The binary under `ulimit -n 128` with 150 connections opened and left idle: the cap keeps
/// it below the limit (no accept failures to spin on), idle ones are closed, and a normal
/// request is answered.
pub async fn under_a_low_file_limit_the_server_keeps_serving() {
    let binary = env!("CARGO_BIN_EXE_items-server");
    let mut child = tokio::process::Command::new("bash")
        .args(["-c", &format!("ulimit -n 128 && exec {binary} --store memory: --seed --idle-timeout 2 --listen 127.0.0.1:0")])
        .env("ITEMS_LOG", "info")
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut log = tokio::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        tokio::io::AsyncBufReadExt::read_line(&mut log, &mut line)
            .await
            .unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let mut held = Vec::new();
    for _ in 0..150 {
        held.push(TcpStream::connect(&addr).await.unwrap());
    }
    let started = Instant::now();
    let mut conn = TcpStream::connect(&addr).await.unwrap();
    conn.write_all(b"GET /items/foo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(20), conn.read_to_string(&mut answer))
        .await
        .expect("answered within 20 s")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    eprintln!(
        "answered after {:?} with 150 idle connections under ulimit -n 128",
        started.elapsed()
    );
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !seen
        .iter()
        .any(|l: &String| l.contains("connection cap reached"))
    {
        let mut line = String::new();
        match tokio::time::timeout_at(
            deadline,
            tokio::io::AsyncBufReadExt::read_line(&mut log, &mut line),
        )
        .await
        {
            Ok(Ok(n)) if n > 0 => seen.push(line),
            _ => panic!("no log line about the cap: {seen:#?}"),
        }
    }
    drop(held);
}

/// This module's tests, for the harness in main.rs.
pub fn trials() -> Vec<libtest_mimic::Trial> {
    crate::trials![
        stalled_connections_are_closed_after_the_idle_timeout,
        an_http2_prior_knowledge_client_is_served,
        shutdown_lets_a_request_in_flight_finish,
        a_request_head_trickling_in_is_closed_after_the_header_timeout,
        past_the_connection_cap_new_connections_wait_and_are_then_served,
        under_a_low_file_limit_the_server_keeps_serving,
    ]
}
