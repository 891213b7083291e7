//! schemathesis (pinned in scripts/requirements.txt, run from the virtualenv target/python)
//! against the real server: every check, every phase (examples, coverage, fuzzing, stateful
//! PUT → GET → DELETE sequences through the links it infers), reading the served
//! `/openapi.json`. Zero failures, with a fixed seed so a failure reproduces. Its settings
//! (tests/contract/schemathesis.toml) add 412 to the answers a valid request may get.

use crate::helpers::spawn_app;

pub async fn schemathesis_finds_no_failure_with_every_check() {
    let root = env!("CARGO_MANIFEST_DIR");
    let schemathesis = format!("{root}/target/python/bin/schemathesis");
    assert!(
        std::path::Path::new(&schemathesis).exists(),
        "{schemathesis} is missing: run scripts/python-env (make test does)"
    );
    let app = spawn_app().await;
    let output = tokio::process::Command::new(&schemathesis)
        .arg("--config-file")
        .arg(format!("{root}/tests/contract/schemathesis.toml"))
        .args(["run", &format!("{}/openapi.json", app.base)])
        .args(["--checks", "all", "--max-examples", "100", "--seed", "1"])
        .env("NO_COLOR", "1")
        .current_dir(std::env::temp_dir())
        .output()
        .await
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = stdout
        .lines()
        .filter(|l| l.contains("generated,") || l.contains("found") || l.contains("issues"))
        .collect::<Vec<_>>()
        .join("\n");
    eprintln!("schemathesis: {summary}");
    assert!(
        output.status.success(),
        "schemathesis reported failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("No issues found"), "{stdout}");
}

/// This module's tests, for the harness in main.rs.
pub fn trials() -> Vec<libtest_mimic::Trial> {
    crate::trials![schemathesis_finds_no_failure_with_every_check,]
}
