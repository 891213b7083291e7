//! `codegen check-compat` and `codegen diff` as a user runs them, in a scratch git repository:
//! a breaking change fails, a new major version or an acknowledgement lets it through, and a
//! clone without the history fails rather than passing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const V1: &str = "openapi: 3.0.3
info: {title: Shelf, version: 1.0.0}
paths:
  /items:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer, maximum: 100}}
      responses:
        '200': {description: Items.}
";

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn codegen(dir: &Path, args: &[&str]) -> (Output, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_codegen"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, text)
}

fn commit(dir: &Path, spec: &str, message: &str) {
    std::fs::write(dir.join("spec.yaml"), spec).unwrap();
    git(dir, &["add", "spec.yaml"]);
    git(dir, &["commit", "-q", "-m", message]);
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("codegen-compat-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q"]);
    dir
}

#[test]
fn a_breaking_change_needs_a_major_version_or_an_acknowledgement() {
    let dir = scratch("rules");
    commit(&dir, V1, "v1");
    let (out, text) = codegen(&dir, &["check-compat", "--last-change", "spec.yaml"]);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("no earlier version"), "{text}");

    let narrowed = V1.replace("maximum: 100", "maximum: 50");
    commit(&dir, &narrowed, "v1.1: smaller pages");
    let (out, text) = codegen(&dir, &["check-compat", "--last-change", "spec.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("breaking: request: maximum lowered from 100 to 50"),
        "{text}"
    );
    assert!(text.contains("is not a new major version"), "{text}");
    // The same through `diff` with git revisions, and the merge base with main (HEAD here).
    let (out, text) = codegen(
        &dir,
        &["diff", "git:HEAD~1:spec.yaml", "git:HEAD:spec.yaml"],
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("affects GET /items"), "{text}");
    let (out, _) = codegen(&dir, &["check-compat", "spec.yaml"]);
    assert!(
        out.status.success(),
        "the working tree equals the merge base"
    );

    commit(&dir, &narrowed.replace("1.0.0", "2.0.0"), "v2");
    let (out, text) = codegen(&dir, &["check-compat", "--base", "HEAD~2", "spec.yaml"]);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("new major version (1.0.0 → 2.0.0)"), "{text}");

    let acknowledged = narrowed.replace(
        "version: 1.0.0}",
        "version: 1.0.0, x-breaking-changes-acknowledged: no client sends more than 50}",
    );
    commit(&dir, &acknowledged, "acknowledged");
    let (out, text) = codegen(&dir, &["check-compat", "--base", "HEAD~3", "spec.yaml"]);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("acknowledged"), "{text}");
    // An acknowledgement is spent once: the next break needs a new one.
    commit(
        &dir,
        &acknowledged.replace("maximum: 50", "maximum: 10"),
        "smaller still",
    );
    let (out, text) = codegen(&dir, &["check-compat", "--last-change", "spec.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_clone_without_the_history_fails() {
    let dir = scratch("origin");
    commit(&dir, V1, "v1");
    commit(&dir, &V1.replace("Shelf", "Shelf API"), "v1 retitled");
    let clone = dir.with_extension("shallow");
    let _ = std::fs::remove_dir_all(&clone);
    let url = format!("file://{}", dir.display());
    git(
        dir.parent().unwrap(),
        &["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()],
    );
    let (out, text) = codegen(&clone, &["check-compat", "--last-change", "spec.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("lacks the history"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&clone);
}

#[test]
fn a_spec_that_does_not_parse_is_a_located_error() {
    let dir = scratch("bad");
    std::fs::write(dir.join("old.yaml"), V1).unwrap();
    std::fs::write(dir.join("new.yaml"), "openapi: 3.0.3\ninfo: [\n").unwrap();
    let (out, text) = codegen(&dir, &["diff", "old.yaml", "new.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("new.yaml") && text.contains("YAML syntax error"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
