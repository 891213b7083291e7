//! Prometheus metrics: requests by operation and status with their latency, requests in flight,
//! and the latency of every item-store call. Recorded for every request of an API served with
//! [`crate::app::serve_api`]; items.yaml declares `GET /metrics`, which writes them out.
//!
//! One process-wide registry: a server serves one API, and tests that start several servers
//! in one process only read their own counters' growth.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::LazyLock;
use std::time::Instant;

use prometheus::{Encoder, Histogram, HistogramOpts, HistogramVec, IntGauge, Registry};

use crate::store::{Delete, Item, ItemStore, Precondition, StoreError, Stored, Upsert};

/// Latency buckets, in seconds: 100 µs to 10 s.
const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 2.5, 10.0,
];

/// The metrics of this process.
pub struct Metrics {
    registry: Registry,
    requests: HistogramVec,
    in_flight: IntGauge,
    store: HistogramVec,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// Whether requests and store calls are recorded (`--metrics off` turns it off).
static RECORDING: AtomicBool = AtomicBool::new(true);

/// Turns recording on or off for the whole process. Off, `GET /metrics` serves no series and
/// a request costs what it costs without metrics (`make bench` measures the difference).
pub fn set_recording(on: bool) {
    RECORDING.store(on, Ordering::Relaxed);
}

/// Whether requests and store calls are recorded.
pub fn recording() -> bool {
    RECORDING.load(Ordering::Relaxed)
}

/// A request series: the operationId's address and length, and the status.
type SeriesKey = (usize, usize, u16);

std::thread_local! {
    /// The request series this thread has recorded into.
    static SERIES: std::cell::RefCell<Vec<(SeriesKey, Histogram)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The process's metrics.
pub fn metrics() -> &'static Metrics {
    &METRICS
}

impl Metrics {
    fn new() -> Self {
        let registry = Registry::new();
        let requests = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from a request's head to its response, by operationId (`none`: no operation matched) and status; `_count` counts requests.",
            )
            .buckets(BUCKETS.to_vec()),
            &["operation", "status"],
        )
        .expect("valid metric");
        let in_flight = IntGauge::new("http_requests_in_flight", "Requests being served now.")
            .expect("valid metric");
        let store = HistogramVec::new(
            HistogramOpts::new(
                "item_store_call_duration_seconds",
                "Time of each item-store call, by call and outcome (`ok`, or `error` for a failure of the store itself).",
            )
            .buckets(BUCKETS.to_vec()),
            &["call", "outcome"],
        )
        .expect("valid metric");
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(in_flight.clone()),
            Box::new(store.clone()),
        ] {
            registry.register(metric).expect("names are unique");
        }
        Metrics {
            registry,
            requests,
            in_flight,
            store,
        }
    }

    /// Counts a request in flight until the guard is dropped (also when its future is).
    pub fn start(&self) -> InFlight<'_> {
        self.in_flight.inc();
        InFlight(&self.in_flight)
    }

    /// Records a finished request. The labelled series is looked up in a small per-thread
    /// cache first: the registry's own lookup hashes the label strings under a shared lock,
    /// which measured as a third of what the metrics cost a request.
    pub fn request(
        &self,
        operation: &'static str,
        status: poem::http::StatusCode,
        took: std::time::Duration,
    ) {
        let seconds = took.as_secs_f64();
        let key = (
            operation.as_ptr() as usize,
            operation.len(),
            status.as_u16(),
        );
        SERIES.with_borrow_mut(|series| {
            if let Some((_, histogram)) = series.iter().find(|(k, _)| *k == key) {
                return histogram.observe(seconds);
            }
            let histogram = self
                .requests
                .with_label_values(&[operation, status.as_str()]);
            histogram.observe(seconds);
            // Operations and statuses are few; the bound only guards against surprises.
            if series.len() < 256 {
                series.push((key, histogram));
            }
        });
    }

    fn store_call(&self, call: &str, ok: bool) -> Histogram {
        self.store
            .with_label_values(&[call, if ok { "ok" } else { "error" }])
    }

    /// The metrics in Prometheus's text format (0.0.4).
    pub fn text(&self) -> String {
        let mut out = Vec::new();
        prometheus::TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("the text encoder writes to memory");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

/// A request in flight; dropping it ends it.
pub struct InFlight<'a>(&'a IntGauge);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// An [`ItemStore`] whose every call is timed into `item_store_call_duration_seconds`.
pub struct Measured<S> {
    inner: S,
    /// The (ok, error) series of each call, resolved once.
    series: [(Histogram, Histogram); 5],
}

/// The calls of [`ItemStore`], in the order of [`Measured::series`].
const CALLS: [&str; 5] = ["get", "upsert", "delete", "list", "insert_if_absent"];

impl<S> Measured<S> {
    /// Times the calls of `inner`.
    pub fn new(inner: S) -> Self {
        let metrics = metrics();
        Measured {
            inner,
            series: CALLS.map(|call| {
                (
                    metrics.store_call(call, true),
                    metrics.store_call(call, false),
                )
            }),
        }
    }

    /// Runs `call`, the `CALLS[index]` of the store, and records its time.
    async fn timed<T>(
        &self,
        index: usize,
        call: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        if !recording() {
            return call.await;
        }
        let started = Instant::now();
        let result = call.await;
        let (ok, error) = &self.series[index];
        let series = if result.is_ok() { ok } else { error };
        series.observe(started.elapsed().as_secs_f64());
        result
    }
}

impl<S: ItemStore> ItemStore for Measured<S> {
    async fn get(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        self.timed(0, self.inner.get(id)).await
    }

    async fn upsert(
        &self,
        id: &str,
        item: Item,
        when: &Precondition,
    ) -> Result<Upsert, StoreError> {
        self.timed(1, self.inner.upsert(id, item, when)).await
    }

    async fn delete(&self, id: &str, when: &Precondition) -> Result<Delete, StoreError> {
        self.timed(2, self.inner.delete(id, when)).await
    }

    async fn list(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Item)>, StoreError> {
        self.timed(3, self.inner.list(after, limit)).await
    }

    async fn insert_if_absent(&self, id: &str, item: Item) -> Result<bool, StoreError> {
        self.timed(4, self.inner.insert_if_absent(id, item)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn value(text: &str, series: &str) -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or(0.0)
    }

    #[tokio::test]
    async fn requests_and_store_calls_are_counted_by_label() {
        let series = r#"http_request_duration_seconds_count{operation="unitTest",status="418"}"#;
        let gets = r#"item_store_call_duration_seconds_count{call="get",outcome="ok"}"#;
        let before = metrics().text();
        {
            let _in_flight = metrics().start();
            assert!(value(&metrics().text(), "http_requests_in_flight") >= 1.0);
            metrics().request(
                "unitTest",
                poem::http::StatusCode::IM_A_TEAPOT,
                std::time::Duration::from_micros(50),
            );
        }
        let store = Measured::new(MemoryStore::new());
        store.get("x").await.unwrap();

        let after = metrics().text();
        assert_eq!(value(&after, series) - value(&before, series), 1.0);
        assert!(value(&after, gets) >= value(&before, gets) + 1.0);
        assert!(after.contains("# TYPE http_request_duration_seconds histogram"));
    }
}
