//! `codegen diff` goldens: `tests/diff/<case>.yaml` is `tests/diff/base.yaml` with one
//! change; what the diff prints must be `tests/diff/<case>.stdout` (EXPECTORATE=overwrite
//! rewrites them), and the class the case's first comment line names must be what the diff
//! concludes.

use std::path::Path;

use codegen::diff::{compare_texts, Class};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_rule_has_a_golden_pair() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff");
    let base = read(&dir.join("base.yaml"));
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml") && !p.ends_with("base.yaml"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 30,
        "the rule cases are missing: {}",
        cases.len()
    );
    for case in cases {
        let name = case.file_stem().unwrap().to_str().unwrap();
        let text = read(&case);
        let diff = compare_texts("base.yaml", &base, &format!("{name}.yaml"), &text)
            .unwrap_or_else(|r| panic!("{name}: {r}"));
        expectorate::assert_contents(dir.join(format!("{name}.stdout")), &diff.to_string());

        let claim = text.lines().next().unwrap_or_default();
        let breaking = diff.count(Class::Breaking);
        let (unclassified, old_servers) = (
            diff.count(Class::Unclassified),
            diff.count(Class::BreakingForOldServers),
        );
        let holds = if claim.starts_with("# Breaking for old servers only:") {
            !diff.is_breaking() && old_servers > 0
        } else if claim.starts_with("# Breaking:") {
            breaking > 0
        } else if claim.starts_with("# Unclassified:") {
            unclassified > 0 && breaking == 0
        } else if claim.starts_with("# Compatible:") {
            !diff.is_breaking() && old_servers == 0 && !diff.changes.is_empty()
        } else if claim.starts_with("# No change") {
            !diff.is_breaking() && old_servers == 0
        } else if claim.starts_with("# Compatible for clients;") {
            !diff.is_breaking() && old_servers > 0
        } else {
            panic!("{name}: the first line must say the class: {claim}")
        };
        assert!(holds, "{name}: {claim}\n{diff}");
    }
}

#[test]
fn a_document_compared_with_itself_has_no_changes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for spec in [
        "openapi/items.yaml",
        "codegen/tests/diff/base.yaml",
        "codegen/tests/fixtures/ok/openapi_31.yaml",
        "codegen/tests/fixtures/ok/composition.yaml",
    ] {
        let text = read(&root.join(spec));
        let diff = compare_texts(spec, &text, spec, &text).unwrap();
        assert!(diff.changes.is_empty(), "{spec}:\n{diff}");
    }
}

#[test]
fn a_3_1_document_is_compared_through_the_generator_conversion() {
    // corpus31/x.yaml is corpus/x.yaml respelt for 3.1: only the version differs.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for name in ["chat_messages", "payments", "user_accounts"] {
        let old = read(&dir.join(format!("corpus/{name}.yaml")));
        let new = read(&dir.join(format!("corpus31/{name}.yaml")));
        let diff = compare_texts("3.0", &old, "3.1", &new).unwrap();
        let messages: Vec<&str> = diff.changes.iter().map(|c| c.message.as_str()).collect();
        assert!(
            messages.iter().all(|m| m.starts_with("OpenAPI version")),
            "{name}:\n{diff}"
        );
    }
}
