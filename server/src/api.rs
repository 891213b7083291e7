//! The API generated from `openapi/items.yaml` by `build.rs` (see the `codegen` crate).
//!
//! Nothing here is written by hand: change the spec and rebuild. Its items are documented
//! from the spec's descriptions; `cargo doc --open` shows them.

// The generated enums carry every declared status; a server need not construct all of them
// itself (the 413 variant is built by poem-openapi's rejection path, not by a handler).
#![allow(dead_code)]

include!(concat!(env!("OUT_DIR"), "/items_api.rs"));
