//! The codegen CLI: `codegen generate SPEC` prints the Rust for a spec, `codegen check SPEC`
//! prints its diagnostics only. Both exit non-zero when the spec has errors. `codegen diff`
//! and `codegen check-compat` compare two versions of a spec (see [`compat`]).

mod compat;

use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: codegen <generate|check> [--strict] [--convert-rejections] [--skip OPERATION_ID]... SPEC.yaml
       codegen diff OLD NEW
       codegen check-compat [--base REV | --last-change] SPEC
  generate      print the Rust generated from the spec (warnings go to stderr)
  check         print the spec's diagnostics, if any
  diff          list every change from OLD to NEW (each a file or git:REV:PATH), classified;
                exits 1 if one is breaking or unclassified
  check-compat  diff SPEC against its version at a base revision (default: the merge base
                with main; --last-change: before the last commit that changed SPEC); breaking
                changes pass only with a new major info.version or a new
                info.x-breaking-changes-acknowledged
  --strict      missing rejection responses and Rust name collisions are errors, not warnings
  --convert-rejections
                answer rejections with the spec's own error schemas, through the crate's
                codegen_runtime::FromRejection (strict turns it on)
  --skip        generate no handler for the operation: it answers 501 (repeatable)";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("diff") => return compat::diff(&args[1..]),
        Some("check-compat") => return compat::check_compat(&args[1..]),
        _ => {}
    }
    let strict = args.iter().any(|a| a == "--strict");
    let convert_rejections = args.iter().any(|a| a == "--convert-rejections");
    args.retain(|a| a != "--strict" && a != "--convert-rejections");
    let mut skip = Vec::new();
    while let Some(i) = args.iter().position(|a| a == "--skip") {
        if i + 1 >= args.len() {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
        skip.push(args.remove(i + 1));
        args.remove(i);
    }
    let (command, spec) = match args.as_slice() {
        [c, s] if c == "generate" || c == "check" => (c.as_str(), s.as_str()),
        [h] if h == "-h" || h == "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let options = codegen::Options {
        strict,
        convert_rejections,
        skip,
        ..Default::default()
    };
    let text = match std::fs::read_to_string(Path::new(spec)) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{spec}: cannot read the spec: {e}");
            return ExitCode::FAILURE;
        }
    };
    match command {
        "check" => match codegen::check_with(&options, spec, &text) {
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
        },
        _ => match codegen::generate_with(&options, spec, &text) {
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
        },
    }
}
