//! `codegen diff` and `codegen check-compat`: the breaking-change check between two versions
//! of a spec, reading either from a file or from git.

use std::process::{Command, ExitCode};

use codegen::diff::{compare_texts, Diff};
use serde_json::Value;

/// The key in `info` that lets a breaking change through without a new major version: its
/// value (the reason) must differ from the base's, so each acknowledgement is used once.
const ACKNOWLEDGED: &str = "x-breaking-changes-acknowledged";

/// `codegen diff OLD NEW`.
pub fn diff(old: &str, new: &str) -> ExitCode {
    let (old, new) = match (read_arg(old), read_arg(new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match compare_texts(&old.0, &old.1, &new.0, &new.1) {
        Ok(diff) => {
            print!("{diff}");
            if diff.is_breaking() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(report) => {
            eprint!("{report}");
            ExitCode::from(2)
        }
    }
}

/// A spec named on the command line: `git:REV:PATH` or a file. Returns its display name and text.
fn read_arg(arg: &str) -> Result<(String, String), String> {
    match arg
        .strip_prefix("git:")
        .and_then(|rest| rest.split_once(':'))
    {
        Some((rev, path)) => Ok((arg.to_owned(), git_show(rev, path)?)),
        None => std::fs::read_to_string(arg)
            .map(|text| (arg.to_owned(), text))
            .map_err(|e| format!("{arg}: cannot read the spec: {e}")),
    }
}

fn git(args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

fn git_show(rev: &str, path: &str) -> Result<String, String> {
    // `REV:./PATH` is PATH relative to the current directory, as a file argument is.
    let path = if path.starts_with('/') || path.starts_with("./") {
        path.to_owned()
    } else {
        format!("./{path}")
    };
    git(&["show", &format!("{rev}:{path}")])
        .map_err(|e| format!("git:{rev}:{path}: cannot read the spec from git: {e}"))
}

fn is_shallow() -> bool {
    git(&["rev-parse", "--is-shallow-repository"]).as_deref() == Ok("true")
}

/// `codegen check-compat [--base REV | --last-change] SPEC`.
pub fn check_compat(base: Since, spec: &str) -> ExitCode {
    match run_check(base, spec) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("check-compat: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The version of the spec a change is checked against.
pub enum Since {
    /// The merge base with `main`.
    MergeBase,
    /// The spec before the last commit that changed it.
    LastChange,
    /// The spec at a revision.
    Rev(String),
}

fn run_check(base: Since, spec: &str) -> Result<ExitCode, String> {
    let shallow_help =
        "this clone lacks the history: fetch it (`git fetch --unshallow`) or pass --base REV";
    let rev = match base {
        Since::Rev(rev) => rev,
        Since::MergeBase => {
            let main = ["main", "origin/main"]
                .into_iter()
                .find(|b| git(&["rev-parse", "--verify", "-q", b]).is_ok())
                .ok_or("there is no branch `main` (nor `origin/main`) to find the merge base with: pass --base REV")?;
            git(&["merge-base", "HEAD", main]).map_err(|e| {
                format!("cannot find the merge base of HEAD and {main} ({e}); {shallow_help}")
            })?
        }
        Since::LastChange => {
            let last = git(&["log", "-1", "--format=%H", "--", spec])?;
            if last.is_empty() {
                return Err(format!("no commit changed {spec}: {shallow_help}"));
            }
            match git(&["rev-parse", "--verify", "-q", &format!("{last}^")]) {
                Ok(parent) => parent,
                Err(_) if is_shallow() => {
                    return Err(format!(
                        "{spec} last changed in {last}, whose parent is not in this clone: {shallow_help}"
                    ))
                }
                Err(_) => {
                    println!("check-compat: {spec} was added by the first commit ({last}); there is no earlier version");
                    return Ok(ExitCode::SUCCESS);
                }
            }
        }
    };
    let old = match git_show(&rev, spec) {
        Ok(text) => text,
        Err(e) if git(&["cat-file", "-e", &rev]).is_ok() => {
            println!("check-compat: {spec} does not exist at {rev} ({e}); nothing to compare");
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(format!("{e}; {shallow_help}")),
    };
    let new =
        std::fs::read_to_string(spec).map_err(|e| format!("{spec}: cannot read the spec: {e}"))?;
    let old_name = format!("git:{}:{spec}", short(&rev));
    let diff = compare_texts(&old_name, &old, spec, &new).map_err(|r| r.to_string())?;
    print!("{diff}");
    Ok(verdict(&diff, &old, &new, &old_name, spec))
}

fn short(rev: &str) -> String {
    git(&["rev-parse", "--short", rev]).unwrap_or_else(|_| rev.to_owned())
}

/// Passes a compatible diff; a breaking one only with a new major version or acknowledgement.
fn verdict(diff: &Diff, old: &str, new: &str, old_name: &str, spec: &str) -> ExitCode {
    if !diff.is_breaking() {
        println!("check-compat: {spec} is compatible with {old_name}");
        return ExitCode::SUCCESS;
    }
    let info = |text: &str, key: &str| -> Option<String> {
        let doc: Value = serde_yaml::from_str(text).ok()?;
        match doc.get("info")?.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    };
    let (vo, vn) = (info(old, "version"), info(new, "version"));
    if let (Some(vo), Some(vn)) = (&vo, &vn) {
        if let (Some(a), Some(b)) = (major(vo), major(vn)) {
            if b > a {
                println!("check-compat: breaking changes with a new major version ({vo} → {vn}): allowed");
                return ExitCode::SUCCESS;
            }
        }
    }
    let (ao, an) = (info(old, ACKNOWLEDGED), info(new, ACKNOWLEDGED));
    if let Some(reason) = an.filter(|a| Some(a) != ao.as_ref()) {
        println!("check-compat: breaking changes acknowledged in info.{ACKNOWLEDGED}: {reason}");
        return ExitCode::SUCCESS;
    }
    let version = vn.as_deref().unwrap_or("(none)");
    eprintln!(
        "check-compat: {spec} breaks clients of {old_name} ({} breaking, {} unclassified) and info.version {version} is not a new major version.\n  \
         If the break is intended, bump the major version (semver: 1.4.0 → 2.0.0; 0.3.1 → 0.4.0), \
         or add `{ACKNOWLEDGED}: <why this break is acceptable>` to info (a new reason for each break).",
        diff.count(codegen::diff::Class::Breaking),
        diff.count(codegen::diff::Class::Unclassified),
    );
    ExitCode::FAILURE
}

/// The semver "major" of a version: the first number, or for 0.x the first two (0.y is a
/// series where a minor bump may break).
fn major(version: &str) -> Option<(u64, u64)> {
    let mut parts = version.trim_start_matches('v').split(['.', '-', '+']);
    let first: u64 = parts.next()?.parse().ok()?;
    if first == 0 {
        Some((0, parts.next().and_then(|p| p.parse().ok()).unwrap_or(0)))
    } else {
        Some((first, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::major;

    #[test]
    fn major_versions_follow_semver() {
        assert!(major("2.0.0") > major("1.9.3"));
        assert_eq!(major("1.4.0"), major("1.5.0"));
        assert!(major("0.4.0") > major("0.3.9"));
        assert_eq!(major("v3"), Some((3, 0)));
        assert_eq!(major("2024-01-01"), Some((2024, 0)));
        assert_eq!(major("beta"), None);
    }
}
