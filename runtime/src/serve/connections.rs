//! Connection hygiene below HTTP: the acceptor the accept loop (`server.rs`) takes from, which
//!
//! - closes a connection that stays silent for [`Limits::idle`] while the server waits to read
//!   from it: a request line or headers that stop arriving, a body that stops, an idle
//!   keep-alive connection (hyper is given no timer, so its own header timeout is off);
//! - holds at most [`Limits::max_connections`] open: past the cap, new connections wait in
//!   the kernel's backlog (one log line when the cap is reached) while open ones are served;
//! - backs off when `accept` fails (out of file descriptors, `EMFILE`) instead of retrying at
//!   once (poem's own loop re-polled a failed accept immediately: one core at 100 %).
//!
//! - closes a connection whose request head (request line and headers) has not fully arrived
//!   [`Limits::head`] after its first byte, however steadily it trickles in (slowloris): the
//!   stream watches for the blank line that ends an HTTP/1 head, and the next head is awaited
//!   once a final response starts (`HTTP/1.1 2..`, not an interim `100 Continue`).
//!
//! HTTP/2 (prior knowledge) connections get the idle timeout only: their frames carry no such
//! blank line after the preface.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use poem::http::uri::Scheme;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// Limits on connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a connection may stay silent while the server waits to read from it.
    pub idle: Duration,
    /// How long a request head may take to arrive, from its first byte to its blank line.
    pub head: Duration,
    /// How many connections may be open at once.
    pub max_connections: usize,
}

impl Default for Limits {
    /// 30 s of silence, 10 s for a request head; connections up to the process's file limit,
    /// less 64 for the store and the listener.
    fn default() -> Self {
        Limits {
            idle: Duration::from_secs(30),
            head: Duration::from_secs(10),
            max_connections: file_limit().saturating_sub(64).max(16),
        }
    }
}

/// The soft limit on open files (`ulimit -n`), or 1024 when it cannot be read.
fn file_limit() -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given and reads nothing else.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    if ok {
        usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX)
    } else {
        1024
    }
}

/// Wraps an acceptor with [`Limits`].
pub struct Guarded<A> {
    inner: A,
    limits: Limits,
    permits: Arc<Semaphore>,
    /// Whether the cap was reached and not yet left (so it is logged once per episode).
    at_cap: AtomicBool,
}

impl<A> Guarded<A> {
    /// `inner` with `limits`.
    pub fn new(inner: A, limits: Limits) -> Self {
        Guarded {
            inner,
            limits,
            permits: Arc::new(Semaphore::new(limits.max_connections)),
            at_cap: AtomicBool::new(false),
        }
    }
}

impl<A: Acceptor> Acceptor for Guarded<A> {
    type Io = Silent<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        let permit = match self.permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if !self.at_cap.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        max_connections = self.limits.max_connections,
                        "connection cap reached: new connections wait until one closes"
                    );
                }
                self.permits
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed")
            }
        };
        if self.permits.available_permits() > 0 {
            self.at_cap.store(false, Ordering::Relaxed);
        }
        let mut failures = 0u32;
        loop {
            match self.inner.accept().await {
                Ok((io, local, remote, scheme)) => {
                    let io = Silent::new(io, self.limits, permit);
                    return Ok((io, local, remote, scheme));
                }
                Err(e) => {
                    // Out of file descriptors or another transient failure: wait, so open
                    // connections keep being served and finish, freeing descriptors.
                    failures += 1;
                    if failures == 1 || failures.is_power_of_two() {
                        tracing::warn!(error = %e, failures, "accept failed; retrying in 100 ms");
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

/// Where a connection is in its current HTTP/1 exchange, for the head deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Between requests: the next byte starts a head.
    Awaiting,
    /// Reading a head; `matched` bytes of `\r\n\r\n` seen at the end of what was read.
    Head { matched: u8 },
    /// The head is complete: a body, the handler, the response.
    Past,
}

/// A connection that fails its pending read after `idle` without a byte read or written, or
/// `head` after the first byte of a request head that has not ended.
pub struct Silent<T> {
    inner: T,
    limits: Limits,
    deadline: Pin<Box<Sleep>>,
    head_deadline: Pin<Box<Sleep>>,
    stage: Stage,
    /// Released when the connection is dropped.
    _permit: OwnedSemaphorePermit,
}

impl<T> Silent<T> {
    fn new(inner: T, limits: Limits, permit: OwnedSemaphorePermit) -> Self {
        Silent {
            inner,
            limits,
            deadline: Box::pin(tokio::time::sleep(limits.idle)),
            head_deadline: Box::pin(tokio::time::sleep(limits.head)),
            stage: Stage::Awaiting,
            _permit: permit,
        }
    }

    fn active(&mut self) {
        self.deadline
            .as_mut()
            .reset(Instant::now() + self.limits.idle);
    }

    /// Follows the head through bytes just read: arms the head deadline at its first byte and
    /// leaves the head at its blank line.
    fn read(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let matched = match self.stage {
                Stage::Past => return,
                Stage::Awaiting => {
                    self.head_deadline
                        .as_mut()
                        .reset(Instant::now() + self.limits.head);
                    0
                }
                Stage::Head { matched } => matched,
            };
            // `\r\n\r\n` (hyper also accepts bare `\n\n`, which a slow client gains nothing by).
            let matched = match (matched, b) {
                (0 | 2, b'\r') => matched + 1,
                (1 | 3, b'\n') => matched + 1,
                (_, b'\r') => 1,
                _ => 0,
            };
            self.stage = if matched == 4 {
                Stage::Past
            } else {
                Stage::Head { matched }
            };
        }
    }

    /// A final response starting means its request was read: the next byte is a new head.
    fn wrote(&mut self, first: &[u8]) {
        if first.starts_with(b"HTTP/1.") && first.get(9).is_none_or(|c| *c != b'1') {
            self.stage = Stage::Awaiting;
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Silent<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    self.active();
                    let this = &mut *self;
                    this.read(&buf.filled()[before..]);
                }
                Poll::Ready(result)
            }
            Poll::Pending => {
                if let Poll::Ready(()) = self.deadline.as_mut().poll(cx) {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the connection was silent for too long",
                    )));
                }
                if matches!(self.stage, Stage::Head { .. })
                    && self.head_deadline.as_mut().poll(cx).is_ready()
                {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the request head took too long to arrive",
                    )));
                }
                Poll::Pending
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Silent<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            self.active();
            self.wrote(data);
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            self.active();
            if let Some(first) = bufs.iter().find(|b| !b.is_empty()) {
                self.wrote(first);
            }
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cap_leaves_room_for_the_store() {
        let limits = Limits::default();
        assert!(limits.max_connections >= 16);
        assert!(limits.max_connections < file_limit().max(80));
        assert_eq!(limits.idle, Duration::from_secs(30));
        assert_eq!(limits.head, Duration::from_secs(10));
    }

    fn stream() -> Silent<()> {
        let permit = Arc::new(Semaphore::new(1)).try_acquire_owned().unwrap();
        Silent::new((), Limits::default(), permit)
    }

    #[tokio::test]
    async fn the_head_ends_at_its_blank_line_in_any_split() {
        let head = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        for split in 1..head.len() {
            let mut s = stream();
            s.read(&head[..split]);
            assert!(matches!(s.stage, Stage::Head { .. }), "split at {split}");
            s.read(&head[split..]);
            assert_eq!(s.stage, Stage::Past, "split at {split}");
        }
        let mut s = stream();
        s.read(b"GET / HTTP/1.1\r\nA: \r\r\n");
        assert!(matches!(s.stage, Stage::Head { .. }), "no blank line yet");
    }

    #[tokio::test]
    async fn a_final_response_awaits_the_next_head_an_interim_one_does_not() {
        let mut s = stream();
        s.read(b"PUT / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n");
        s.wrote(b"HTTP/1.1 100 Continue\r\n\r\n");
        assert_eq!(s.stage, Stage::Past, "the body may follow slowly");
        s.wrote(b"HTTP/1.1 200 OK\r\n");
        assert_eq!(s.stage, Stage::Awaiting);
        s.wrote(b"{\"body\": 1}");
        assert_eq!(s.stage, Stage::Awaiting);
    }
}
