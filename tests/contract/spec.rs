//! The specs of this repository, read at test time, as the oracles of the contract tests
//! (the checker itself is `codegen_testing::check_response`).

use std::sync::{Arc, OnceLock};

use serde_json::Value;

pub use codegen_testing::{check_response, json_schema, Observed};

/// openapi/items.yaml as JSON.
pub fn written() -> Arc<Value> {
    static SPEC: OnceLock<Arc<Value>> = OnceLock::new();
    SPEC.get_or_init(|| Arc::new(load("openapi/items.yaml")))
        .clone()
}

/// examples/catalog/openapi.yaml as JSON (its own tests serve it; the checker's tests here
/// read it).
pub fn catalog() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| load("examples/catalog/openapi.yaml"))
}

fn load(file: &str) -> Value {
    let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}
