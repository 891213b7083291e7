//! The codegen CLI: `codegen generate SPEC` prints the Rust for a spec, `codegen check SPEC`
//! prints its diagnostics only. Both exit non-zero when the spec has errors.

use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: codegen <generate|check> SPEC.yaml
  generate  print the Rust generated from the spec
  check     print the spec's diagnostics, if any";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
    let path = Path::new(spec);
    match command {
        "check" => match codegen::check(path, spec) {
            Ok(api) => {
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
        _ => match codegen::generate(path, spec) {
            Ok(code) => {
                print!("{code}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
    }
}
