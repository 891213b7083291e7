//! The item store's metrics: every call's latency by call and outcome, in the registry of
//! `codegen_runtime::serve::metrics` beside the request metrics, which `GET /metrics` writes
//! out. `--metrics off` turns both off.

use std::sync::LazyLock;
use std::time::Instant;

use codegen_runtime::serve::metrics::prometheus::{Histogram, HistogramOpts, HistogramVec};
use codegen_runtime::serve::metrics::BUCKETS;
pub use codegen_runtime::serve::metrics::{metrics, recording, set_recording};

use crate::store::{Delete, Item, ItemStore, Precondition, StoreError, Stored, Upsert};

/// `item_store_call_duration_seconds`, registered once.
static STORE: LazyLock<HistogramVec> = LazyLock::new(|| {
    let store = HistogramVec::new(
        HistogramOpts::new(
            "item_store_call_duration_seconds",
            "Time of each item-store call, by call and outcome (`ok`, or `error` for a failure of the store itself).",
        )
        .buckets(BUCKETS.to_vec()),
        &["call", "outcome"],
    )
    .expect("valid metric");
    metrics()
        .register(Box::new(store.clone()))
        .expect("registered once");
    store
});

fn store_call(call: &str, ok: bool) -> Histogram {
    STORE.with_label_values(&[call, if ok { "ok" } else { "error" }])
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
        Measured {
            inner,
            series: CALLS.map(|call| (store_call(call, true), store_call(call, false))),
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
    async fn store_calls_are_counted_by_call_and_outcome() {
        let gets = r#"item_store_call_duration_seconds_count{call="get",outcome="ok"}"#;
        let store = Measured::new(MemoryStore::new());
        let before = metrics().text();
        store.get("x").await.unwrap();
        let after = metrics().text();
        assert!(value(&after, gets) >= value(&before, gets) + 1.0);
        assert!(after.contains("# TYPE item_store_call_duration_seconds histogram"));
    }
}
