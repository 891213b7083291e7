//! Snapshot tests of the generator: every `fixtures/ok/*.yaml` (plus `openapi/items.yaml`)
//! must generate exactly `golden/<name>.rs`, and every `fixtures/err/*.yaml` must fail with
//! exactly `golden/<name>.stderr`. Update with `make snapshots` and review the diff.
//! The goldens are also compiled, as modules of one crate, by the root package's
//! `tests/goldens.rs`.
//!
//! One trial per fixture (libtest-mimic), named `<kind>::<fixture>`, so one runs alone
//! (`cargo test -p codegen --test goldens -- ok::composition`) and every mismatch is reported,
//! not only the first of a directory.

use std::fs;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Trial};

/// A check of one fixture file.
type FixtureTest = fn(&Path);

fn main() {
    let args = Arguments::from_args();
    let mut trials: Vec<Trial> = [
        (
            "items_yaml_generates_its_golden_in_strict_mode",
            items_yaml_generates_its_golden_in_strict_mode as fn(),
        ),
        (
            "the_corpus_has_at_least_25_specs",
            the_corpus_has_at_least_25_specs,
        ),
        ("every_golden_has_a_fixture", every_golden_has_a_fixture),
        ("generation_is_deterministic", generation_is_deterministic),
        (
            "readme_diagnostic_is_what_cargo_prints_for_a_misspelt_items_yaml",
            readme_diagnostic_is_what_cargo_prints_for_a_misspelt_items_yaml,
        ),
        (
            "readme_rust_excerpt_is_taken_from_the_items_golden",
            readme_rust_excerpt_is_taken_from_the_items_golden,
        ),
        (
            "every_fixture_the_readme_names_exists",
            every_fixture_the_readme_names_exists,
        ),
    ]
    .into_iter()
    .map(|(name, test)| {
        Trial::test(name, move || {
            test();
            Ok(())
        })
    })
    .collect();
    let per_fixture: [(&str, FixtureTest); 4] = [
        ("ok", |path| assert_generated("ok", path, true)),
        (
            "corpus",
            corpus_spec_generates_its_golden_or_names_what_is_refused,
        ),
        ("err", err_fixture_fails_with_its_diagnostics),
        ("corpus31", corpus_31_document_generates_the_same_code),
    ];
    for (kind, test) in per_fixture {
        for path in fixtures(kind) {
            trials.push(Trial::test(format!("{kind}::{}", stem(&path)), move || {
                test(&path);
                Ok(())
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

fn golden(name: &str, ext: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.{ext}"))
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Generates `spec` as `build.rs` would, except that the document is included from the
/// fixture itself (the goldens are compiled from `golden/`).
fn generate(kind: &str, path: &Path, strict: bool) -> Result<codegen::Generated, codegen::Error> {
    let name = format!("fixtures/{kind}/{}.yaml", stem(path));
    let options = codegen::Options {
        strict,
        document: Some(format!("../fixtures/{kind}/{}.yaml", stem(path))),
        ..Default::default()
    };
    codegen::generate_with(&options, &name, &read(path))
}

/// The goldens of one generated fixture: its Rust, and its warnings when it has any.
fn assert_generated(kind: &str, path: &Path, strict: bool) {
    let generated = generate(kind, path, strict)
        .unwrap_or_else(|e| panic!("fixtures/{kind}/{} should generate:\n{e}", stem(path)));

    expectorate::assert_contents(golden(&stem(path), "rs"), &generated.code);
    let warnings = golden(&stem(path), "warnings");
    if generated.warnings.items.is_empty() {
        assert!(
            !warnings.exists(),
            "{} is stale: remove it",
            warnings.display()
        );
    } else {
        expectorate::assert_contents(warnings, &generated.warnings.to_string());
    }
}

fn items_yaml_generates_its_golden_in_strict_mode() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/items.yaml");
    let options = codegen::Options {
        strict: true,
        document: Some("../../../openapi/items.yaml".into()),
        ..Default::default()
    };

    let generated = codegen::generate_with(&options, "openapi/items.yaml", &read(&spec))
        .unwrap_or_else(|e| panic!("{e}"));

    assert!(
        generated.warnings.items.is_empty(),
        "{}",
        generated.warnings
    );
    expectorate::assert_contents(golden("items", "rs"), &generated.code);
}

/// A corpus spec (the shapes real APIs use), generated in the default (not strict) mode. One
/// that still uses a construct the generator refuses has its located diagnostics as its golden
/// (`.stderr`), so the list of what is refused, and where, is reviewed like code.
fn corpus_spec_generates_its_golden_or_names_what_is_refused(path: &Path) {
    match generate("corpus", path, false) {
        Err(codegen::Error::Spec(report)) => {
            assert!(
                !golden(&stem(path), "rs").exists(),
                "{} no longer generates",
                stem(path)
            );
            expectorate::assert_contents(golden(&stem(path), "stderr"), &report.to_string());
        }
        _ => {
            assert!(
                !golden(&stem(path), "stderr").exists(),
                "{} generates now: remove its .stderr",
                stem(path)
            );
            assert_generated("corpus", path, false);
        }
    }
}

fn the_corpus_has_at_least_25_specs() {
    let specs = fixtures("corpus");
    assert!(specs.len() >= 25, "the corpus has {} specs", specs.len());
}

/// An `err` fixture fails with exactly its golden diagnostics, each saying what to do.
fn err_fixture_fails_with_its_diagnostics(path: &Path) {
    let name = format!("fixtures/err/{}.yaml", stem(path));
    let text = read(path);
    assert!(
        text.starts_with("# Test: "),
        "{name} must say what it tests on its first line"
    );
    // A fixture of what only strict mode refuses says so on its second line.
    let strict = text.lines().nth(1) == Some("# Strict");

    let report = match generate("err", path, strict) {
        Ok(_) => panic!("{name} should fail"),
        Err(codegen::Error::Spec(report)) => report,
        Err(e) => panic!("{name}: {e}"),
    };

    assert!(
        report.items.iter().all(|d| !d.help.is_empty()),
        "{name}: every diagnostic says what to do"
    );
    expectorate::assert_contents(golden(&stem(path), "stderr"), &report.to_string());
}

fn every_golden_has_a_fixture() {
    let mut expected: Vec<String> = fixtures("ok")
        .iter()
        .map(|p| format!("{}.rs", stem(p)))
        .collect();
    expected.extend(
        fixtures("err")
            .iter()
            .map(|p| format!("{}.stderr", stem(p))),
    );
    // A corpus spec has a `.rs` golden, or a `.stderr` one while it is refused.
    for p in fixtures("corpus") {
        let refused = golden(&stem(&p), "stderr").exists();
        expected.push(format!(
            "{}.{}",
            stem(&p),
            if refused { "stderr" } else { "rs" }
        ));
    }
    expected.push("items.rs".into());
    expected.sort();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");

    let mut found: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".warnings"))
        .collect();
    found.sort();

    assert_eq!(
        found, expected,
        "stale or missing goldens: run `make snapshots`"
    );
}

fn generation_is_deterministic() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/items.yaml");

    let first = codegen::generate(&spec, "openapi/items.yaml").unwrap();
    let second = codegen::generate(&spec, "openapi/items.yaml").unwrap();

    assert_eq!(first, second);
}

fn readme_diagnostic_is_what_cargo_prints_for_a_misspelt_items_yaml() {
    // The README shows `cargo build` after `responses:` of putItem is misspelt; keep it true.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let spec = read(&root.join("openapi/items.yaml"));
    let at = spec.find("operationId: putItem").unwrap();
    let typo = at + spec[at..].find("      responses:").unwrap();
    let broken = format!(
        "{}      respones:{}",
        &spec[..typo],
        &spec[typo + "      responses:".len()..]
    );

    let report = codegen::check_str("openapi/items.yaml", &broken)
        .unwrap_err()
        .to_string();

    let as_cargo_prints_it: String = report
        .lines()
        .map(|l| format!("error: items@0.1.0: {l}\n"))
        .collect();
    let readme = read(&root.join("README.md"));
    assert!(
        readme.contains(&as_cargo_prints_it),
        "README.md must contain the diagnostic as cargo prints it:\n{as_cargo_prints_it}"
    );
}

fn readme_rust_excerpt_is_taken_from_the_items_golden() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = read(&root.join("README.md"));
    let golden = read(&golden("items", "rs"));
    let start = readme
        .find("```rust\n/// The responses `putItem`")
        .expect("the README shows the generated PutItemResponse")
        + "```rust\n".len();
    let excerpt = &readme[start..start + readme[start..].find("```").unwrap()];

    // The excerpt elides with `// ...` lines; every piece between them and blank lines is verbatim.
    let lines: Vec<&str> = excerpt.lines().collect();
    for piece in lines.split(|l| l.is_empty() || l.trim_start().starts_with("// ...")) {
        let piece = piece.join("\n");
        if !piece.is_empty() {
            assert!(
                golden.contains(&piece),
                "README excerpt is not in golden/items.rs:\n{piece}"
            );
        }
    }
}

fn every_fixture_the_readme_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = read(&root.join("../README.md"));
    let section = &readme[readme
        .find("## Supported OpenAPI")
        .expect("the README has a Supported OpenAPI section")..];

    let named: Vec<&str> = section
        .split('`')
        .filter(|t| {
            (t.starts_with("ok/") || t.starts_with("err/") || t.starts_with("corpus/"))
                && !t.ends_with('/')
        })
        .collect();

    assert!(named.len() >= 20, "the table names its fixtures: {named:?}");
    for name in named {
        let path = root.join("tests/fixtures").join(format!("{name}.yaml"));
        assert!(
            path.exists(),
            "README names {name}, but {} does not exist",
            path.display()
        );
    }
}

/// `corpus31/x.yaml` is `corpus/x.yaml` respelt for OpenAPI 3.1 (`type: [T, "null"]`,
/// `examples`, numeric exclusive bounds): the generated Rust must be the 3.0 golden, but for
/// the file it embeds.
fn corpus_31_document_generates_the_same_code(path: &Path) {
    let generated = generate("corpus31", path, false)
        .unwrap_or_else(|e| panic!("fixtures/corpus31/{} should generate:\n{e}", stem(path)));
    let golden = read(&golden(&stem(path), "rs"));

    // All but the `DOCUMENT` constant, whose longer path rustfmt wraps differently.
    let before_document = |code: &str| {
        code[..code.find("pub const DOCUMENT").unwrap()].replace("corpus31/", "corpus/")
    };
    let (code, golden) = (before_document(&generated.code), before_document(&golden));
    let first_difference = code.lines().zip(golden.lines()).find(|(a, b)| a != b);
    assert!(
        code == golden,
        "fixtures/corpus31/{}.yaml does not generate golden/{}.rs: {first_difference:?}",
        stem(path),
        stem(path)
    );
}
