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
///
/// The timers are re-armed lazily: a read or a write only notes the time, and a timer that
/// fires before its deadline (activity moved it) is set again to the real one. Resetting a
/// tokio `Sleep` on every read and write took the timer wheel's lock each time.
pub struct Silent<T> {
    inner: T,
    limits: Limits,
    /// The last read or write.
    active_at: Instant,
    deadline: Pin<Box<Sleep>>,
    /// The first byte of the current head.
    head_at: Instant,
    head_deadline: Pin<Box<Sleep>>,
    stage: Stage,
    /// Released when the connection is dropped.
    _permit: OwnedSemaphorePermit,
}

impl<T> Silent<T> {
    fn new(inner: T, limits: Limits, permit: OwnedSemaphorePermit) -> Self {
        let now = Instant::now();
        Silent {
            inner,
            limits,
            active_at: now,
            deadline: Box::pin(tokio::time::sleep_until(now + limits.idle)),
            head_at: now,
            head_deadline: Box::pin(tokio::time::sleep_until(now + limits.head)),
            stage: Stage::Awaiting,
            _permit: permit,
        }
    }

    /// Follows the head through bytes just read (at `now`): notes its first byte and leaves
    /// the head at its blank line.
    fn read(&mut self, bytes: &[u8], now: Instant) {
        const END: &[u8; 4] = b"\r\n\r\n";
        let mut matched = match self.stage {
            Stage::Past => return,
            Stage::Awaiting if bytes.is_empty() => return,
            Stage::Awaiting => {
                self.head_at = now;
                0
            }
            Stage::Head { matched } => matched,
        };
        // A blank line begun in an earlier read ends within the first three bytes.
        let carried = bytes.len().min(3);
        for &b in &bytes[..carried] {
            matched = next(matched, b);
            if matched == 4 {
                self.stage = Stage::Past;
                return;
            }
        }
        if bytes.len() > carried {
            // Built once: building a finder cost as much as searching a head with it.
            static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
                std::sync::LazyLock::new(|| memchr::memmem::Finder::new(END));
            if FINDER.find(bytes).is_some() {
                self.stage = Stage::Past;
                return;
            }
            // How much of a blank line the bytes end with: it lies within the last three.
            matched = bytes[bytes.len() - 3..].iter().fold(0, |m, &b| next(m, b));
        }
        self.stage = Stage::Head { matched };
    }

    /// A final response starting means its request was read: the next byte is a new head.
    fn wrote(&mut self, first: &[u8]) {
        if first.starts_with(b"HTTP/1.") && first.get(9).is_none_or(|c| *c != b'1') {
            self.stage = Stage::Awaiting;
        }
    }

    /// Whether the idle or the head deadline has passed; re-arms a timer that fired early.
    fn expired(&mut self, cx: &mut Context<'_>) -> Option<&'static str> {
        let idle = self.active_at + self.limits.idle;
        if lapsed(&mut self.deadline, idle, cx) {
            return Some("the connection was silent for too long");
        }
        let head = self.head_at + self.limits.head;
        if matches!(self.stage, Stage::Head { .. }) && lapsed(&mut self.head_deadline, head, cx) {
            return Some("the request head took too long to arrive");
        }
        None
    }
}

/// One step of matching `\r\n\r\n`: how much of it the bytes end with after `b`, given
/// `matched` before. (hyper also accepts a bare `\n\n`, which a slow client gains nothing by.)
fn next(matched: u8, b: u8) -> u8 {
    match (matched, b) {
        (0 | 2, b'\r') => matched + 1,
        (1 | 3, b'\n') => matched + 1,
        (_, b'\r') => 1,
        _ => 0,
    }
}

/// Whether `timer` has fired with `due` passed; a timer that fired before `due` is set to it
/// and polled, so it wakes the task then.
fn lapsed(timer: &mut Pin<Box<Sleep>>, due: Instant, cx: &mut Context<'_>) -> bool {
    while timer.as_mut().poll(cx).is_ready() {
        if due <= Instant::now() {
            return true;
        }
        timer.as_mut().reset(due);
    }
    false
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
                    let now = Instant::now();
                    let this = &mut *self;
                    this.active_at = now;
                    this.read(&buf.filled()[before..], now);
                }
                Poll::Ready(result)
            }
            Poll::Pending => match self.expired(cx) {
                Some(why) => Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, why))),
                None => Poll::Pending,
            },
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
            self.active_at = Instant::now();
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
            self.active_at = Instant::now();
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
            s.read(&head[..split], Instant::now());
            assert!(matches!(s.stage, Stage::Head { .. }), "split at {split}");
            s.read(&head[split..], Instant::now());
            assert_eq!(s.stage, Stage::Past, "split at {split}");
        }
        let mut s = stream();
        s.read(b"GET / HTTP/1.1\r\nA: \r\r\n", Instant::now());
        assert!(matches!(s.stage, Stage::Head { .. }), "no blank line yet");
    }

    #[tokio::test]
    async fn a_final_response_awaits_the_next_head_an_interim_one_does_not() {
        let mut s = stream();
        s.read(
            b"PUT / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
            Instant::now(),
        );
        s.wrote(b"HTTP/1.1 100 Continue\r\n\r\n");
        assert_eq!(s.stage, Stage::Past, "the body may follow slowly");
        s.wrote(b"HTTP/1.1 200 OK\r\n");
        assert_eq!(s.stage, Stage::Awaiting);
        s.wrote(b"{\"body\": 1}");
        assert_eq!(s.stage, Stage::Awaiting);
    }

    /// The stage after `chunks`, one byte at a time: the loop `read` replaced.
    fn byte_by_byte(chunks: &[&[u8]]) -> Stage {
        let mut stage = Stage::Awaiting;
        for &b in chunks.concat().iter() {
            let matched = match stage {
                Stage::Past => break,
                Stage::Awaiting => 0,
                Stage::Head { matched } => matched,
            };
            let matched = next(matched, b);
            stage = if matched == 4 {
                Stage::Past
            } else {
                Stage::Head { matched }
            };
        }
        stage
    }

    #[tokio::test]
    async fn reading_in_chunks_ends_the_head_where_a_byte_loop_does() {
        // Every string of up to 8 bytes over `\r`, `\n` and `a`, read in two chunks split
        // at every point, and in chunks of one byte.
        let alphabet = [b'\r', b'\n', b'a'];
        for len in 0..=8u32 {
            for mut code in 0..3usize.pow(len) {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        let b = alphabet[code % 3];
                        code /= 3;
                        b
                    })
                    .collect();
                for split in 0..=bytes.len() {
                    let (a, b) = bytes.split_at(split);
                    let mut s = stream();
                    for chunk in [a, b].into_iter().filter(|c| !c.is_empty()) {
                        s.read(chunk, Instant::now());
                    }
                    assert_eq!(s.stage, byte_by_byte(&[a, b]), "{bytes:?} split at {split}");
                }
                let mut s = stream();
                for b in &bytes {
                    s.read(std::slice::from_ref(b), Instant::now());
                }
                assert_eq!(s.stage, byte_by_byte(&[&bytes]), "{bytes:?} byte by byte");
            }
        }
    }

    /// A read that fails with `TimedOut` once `Silent` gives up on the connection; how long
    /// that took on tokio's paused clock.
    async fn timed_out_after(mut conn: Silent<tokio::io::DuplexStream>) -> Duration {
        use tokio::io::AsyncReadExt;
        let started = Instant::now();
        let mut buf = [0u8; 64];
        loop {
            match AsyncReadExt::read(&mut conn, &mut buf).await {
                Ok(0) => panic!("closed, not timed out"),
                Ok(_) => {}
                Err(e) => {
                    assert_eq!(e.kind(), io::ErrorKind::TimedOut);
                    return started.elapsed();
                }
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadlines_count_from_the_last_byte_and_the_first_byte_of_a_head() {
        use tokio::io::AsyncWriteExt;
        let limits = Limits {
            idle: Duration::from_secs(30),
            head: Duration::from_secs(10),
            max_connections: 1,
        };
        let silent = |inner| {
            let permit = Arc::new(Semaphore::new(1)).try_acquire_owned().unwrap();
            Silent::new(inner, limits, permit)
        };

        // Whole requests every 20 s keep a connection open; silence after the last closes it
        // 30 s after that last byte, not 30 s after the connection opened.
        let (server, mut client) = tokio::io::duplex(1024);
        let closed = tokio::spawn(timed_out_after(silent(server)));
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_secs(20)).await;
            client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        }
        assert_eq!(closed.await.unwrap(), Duration::from_secs(80 + 30));

        // A head trickling in, a byte every 2 s, is closed 10 s after its first byte.
        let (server, mut client) = tokio::io::duplex(1024);
        let closed = tokio::spawn(timed_out_after(silent(server)));
        tokio::time::sleep(Duration::from_secs(5)).await;
        let trickle = tokio::spawn(async move {
            for b in b"GET / HTTP/1.1\r\nX-Slow: abcdefghijklmnop".iter() {
                if client.write_all(&[*b]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        });
        assert_eq!(closed.await.unwrap(), Duration::from_secs(5 + 10));
        trickle.abort();
    }
}
