//! Connection hygiene below HTTP: an acceptor that poem's server accepts from, which
//!
//! - closes a connection that stays silent for [`Limits::idle`] while the server waits to read
//!   from it: a request line or headers that stop arriving, a body that stops, an idle
//!   keep-alive connection (poem gives hyper no timer, so hyper's own header timeout is off);
//! - holds at most [`Limits::max_connections`] open: past the cap, new connections wait in
//!   the kernel's backlog (one log line when the cap is reached) while open ones are served;
//! - backs off when `accept` fails (out of file descriptors, `EMFILE`) instead of retrying at
//!   once (poem's loop re-polls a failed accept immediately: one core at 100 %).
//!
//! Not covered: a client that keeps a request alive by sending a byte just inside every idle
//! period (a total deadline for the head needs hyper's own timer, i.e. a serve loop of ours).

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
    /// How many connections may be open at once.
    pub max_connections: usize,
}

impl Default for Limits {
    /// 30 s of silence; connections up to the process's file limit, less 64 for the store
    /// and the listener.
    fn default() -> Self {
        Limits {
            idle: Duration::from_secs(30),
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
                    let io = Silent::new(io, self.limits.idle, permit);
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

/// A connection that fails its pending read after `idle` without a byte read or written.
pub struct Silent<T> {
    inner: T,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
    /// Released when the connection is dropped.
    _permit: OwnedSemaphorePermit,
}

impl<T> Silent<T> {
    fn new(inner: T, idle: Duration, permit: OwnedSemaphorePermit) -> Self {
        Silent {
            inner,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
            _permit: permit,
        }
    }

    fn active(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + self.idle);
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
                }
                Poll::Ready(result)
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the connection was silent for too long",
                ))),
                Poll::Pending => Poll::Pending,
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
            self.active();
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
    }
}
