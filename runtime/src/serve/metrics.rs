//! Prometheus metrics of requests: by operation and status with their latency, and requests in
//! flight, recorded for every request of an API served with [`super::serve_api`]. A server
//! adds its own (a store's call latency) with [`Metrics::register`] and writes them all out
//! with [`Metrics::text`], e.g. from a `GET /metrics` operation its spec declares.
//!
//! One process-wide registry: a server serves one API, and tests that start several servers
//! in one process only read their own counters' growth.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::LazyLock;

use prometheus::{Encoder, Histogram, HistogramOpts, HistogramVec, IntGauge, Registry};

pub use prometheus;

/// Latency buckets, in seconds: 100 µs to 10 s.
pub const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 2.5, 10.0,
];

/// The metrics of this process.
pub struct Metrics {
    registry: Registry,
    requests: HistogramVec,
    in_flight: IntGauge,
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
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(in_flight.clone()),
        ] {
            registry.register(metric).expect("names are unique");
        }
        Metrics {
            registry,
            requests,
            in_flight,
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

    /// Adds a server's own metric (a store's call latency, say) to what [`Self::text`]
    /// writes out. A name registered twice is refused.
    pub fn register(
        &self,
        metric: Box<dyn prometheus::core::Collector>,
    ) -> Result<(), prometheus::Error> {
        self.registry.register(metric)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str, series: &str) -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or(0.0)
    }

    #[test]
    fn requests_are_counted_by_operation_and_status() {
        let series = r#"http_request_duration_seconds_count{operation="unitTest",status="418"}"#;
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
        let after = metrics().text();
        assert_eq!(value(&after, series) - value(&before, series), 1.0);
        assert!(after.contains("# TYPE http_request_duration_seconds histogram"));
    }
}
