//! Compile-fail cases: what the compiler tells a user whose handlers lag behind the spec.
//! Each `tests/ui/*.rs` must fail to compile with exactly its `.stderr`
//! (`TRYBUILD=overwrite cargo test --test compile_fail` updates them; review the diff).

#[test]
fn handlers_and_conversions_missing_for_the_spec_fail_to_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}

#[test]
fn readme_shows_the_compiler_message_verbatim() {
    let root = env!("CARGO_MANIFEST_DIR");
    let stderr = std::fs::read_to_string(format!(
        "{root}/tests/ui/new_operation_without_handler.stderr"
    ))
    .unwrap();
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();

    assert!(
        readme.contains(stderr.trim_end()),
        "paste tests/ui/new_operation_without_handler.stderr into README.md"
    );
}
