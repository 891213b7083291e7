//! Compile-fail cases: what the compiler tells a user whose handlers lag behind the spec.
//! Each `tests/ui/*.rs` must fail to compile with exactly its `.stderr`
//! (`TRYBUILD=overwrite cargo test --test compile_fail` updates them; review the diff).

#[test]
fn handlers_missing_for_the_spec_fail_to_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
