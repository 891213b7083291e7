//! The specs of this repository, read at test time, as the oracles of the contract tests
//! (the checker itself is `codegen_testing::check_response`).

use std::sync::OnceLock;

use serde_json::Value;

pub use codegen_testing::{check_response, declared_pairs, json_schema, Observed};

/// openapi/items.yaml as JSON.
pub fn written() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| load("openapi/items.yaml"))
}

/// openapi/catalog.yaml (the example) as JSON.
pub fn catalog() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| load("examples/catalog/openapi.yaml"))
}

/// openapi/pets.yaml (the example of composition, media types and security) as JSON.
pub fn pets() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| load("examples/pets/openapi.yaml"))
}

fn load(file: &str) -> Value {
    let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}
