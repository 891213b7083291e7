//! The codegen CLI: `codegen generate SPEC` prints the Rust for a spec, `codegen check SPEC`
//! prints its diagnostics only. Both exit non-zero when the spec has errors. `codegen diff`
//! and `codegen check-compat` compare two versions of a spec (see [`compat`]).

mod compat;

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Generate poem-openapi Rust from an OpenAPI 3.0/3.1 document, and check how a spec changed.
#[derive(Parser)]
#[command(name = "codegen", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the Rust generated from the spec (warnings go to stderr)
    Generate(Generation),
    /// Print the spec's diagnostics, if any, and what it declares
    Check(Generation),
    /// List every change from OLD to NEW, classified; exits 1 if one is breaking or
    /// unclassified
    Diff {
        /// The old spec: a file, or git:REV:PATH
        old: String,
        /// The new spec: a file, or git:REV:PATH
        new: String,
    },
    /// Diff SPEC against its version at a base revision (default: the merge base with main);
    /// breaking changes pass only with a new major info.version or a new
    /// info.x-breaking-changes-acknowledged
    CheckCompat {
        /// Compare with the spec at this revision
        #[arg(long, value_name = "REV", conflicts_with = "last_change")]
        base: Option<String>,
        /// Compare with the spec before the last commit that changed it (as CI does)
        #[arg(long)]
        last_change: bool,
        /// The spec file
        spec: String,
    },
}

/// The generator's settings, as `codegen::Generator` takes them in a build script.
#[derive(Args)]
struct Generation {
    /// Missing rejection responses and Rust name collisions are errors, not warnings
    #[arg(long)]
    strict: bool,
    /// Answer rejections with the spec's own error schemas, through the crate's
    /// codegen_runtime::FromRejection (strict turns it on)
    #[arg(long)]
    convert_rejections: bool,
    /// Generate no handler for the operation: it answers 501 (repeatable)
    #[arg(long = "skip", value_name = "OPERATION_ID")]
    skip: Vec<String>,
    /// The spec (YAML or JSON)
    spec: String,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Generate(g) => generation(g, false),
        Command::Check(g) => generation(g, true),
        Command::Diff { old, new } => compat::diff(&old, &new),
        Command::CheckCompat {
            base,
            last_change,
            spec,
        } => {
            let since = match (base, last_change) {
                (Some(rev), _) => compat::Since::Rev(rev),
                (None, true) => compat::Since::LastChange,
                (None, false) => compat::Since::MergeBase,
            };
            compat::check_compat(since, &spec)
        }
    }
}

/// `codegen generate` (or `check` when `check_only`).
fn generation(g: Generation, check_only: bool) -> ExitCode {
    let options = codegen::Options {
        strict: g.strict,
        convert_rejections: g.convert_rejections,
        skip: g.skip,
        ..Default::default()
    };
    let spec = g.spec.as_str();
    let text = match std::fs::read_to_string(Path::new(spec)) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{spec}: cannot read the spec: {e}");
            return ExitCode::FAILURE;
        }
    };
    if check_only {
        return match codegen::check_with(&options, spec, &text) {
            Ok((api, warnings)) => {
                if !warnings.items.is_empty() {
                    eprint!("{warnings}");
                }
                println!(
                    "{spec}: ok, {} operations, {} objects, {} enums, {} unions, {} security schemes",
                    api.operations.len(),
                    api.objects.len(),
                    api.enums.len(),
                    api.unions.len(),
                    api.security_schemes.len()
                );
                ExitCode::SUCCESS
            }
            Err(report) => {
                eprint!("{report}");
                ExitCode::FAILURE
            }
        };
    }
    match codegen::generate_with(&options, spec, &text) {
        Ok(generated) => {
            if !generated.warnings.items.is_empty() {
                eprint!("{}", generated.warnings);
            }
            print!("{}", generated.code);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent_and_says_each_setting() {
        Cli::command().debug_assert();
        let help = Cli::command()
            .find_subcommand_mut("generate")
            .unwrap()
            .render_help()
            .to_string();
        for shown in ["--strict", "--convert-rejections", "--skip <OPERATION_ID>"] {
            assert!(help.contains(shown), "{shown} in:\n{help}");
        }
    }

    #[test]
    fn settings_and_mistakes_are_parsed_as_documented() {
        let cli = Cli::try_parse_from(["codegen", "generate", "--skip", "a", "--skip=b", "x.yaml"])
            .unwrap();
        let Command::Generate(g) = cli.command else {
            panic!("generate");
        };
        assert_eq!(
            (g.skip, g.spec.as_str()),
            (vec!["a".into(), "b".into()], "x.yaml")
        );
        for bad in [
            &["codegen", "generate"][..],
            &[
                "codegen",
                "check-compat",
                "--base",
                "main",
                "--last-change",
                "s.yaml",
            ],
            &["codegen", "diff", "one.yaml"],
            &["codegen", "genrate", "x.yaml"],
        ] {
            let err = Cli::try_parse_from(bad).err().expect("a usage error");
            assert_eq!(err.exit_code(), 2, "{bad:?}: {err}");
        }
        let typo = Cli::try_parse_from(["codegen", "genrate", "x.yaml"])
            .err()
            .unwrap();
        assert!(typo.to_string().contains("generate"), "{typo}");
    }
}
