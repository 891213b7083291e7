//! Contract tests: the real server over real HTTP on 127.0.0.1, every response checked
//! against openapi/items.yaml. One binary (`harness = false`, libtest-mimic) so that, after
//! every other test has run, the coverage gate can check that each (operation, status) pair
//! items.yaml declares was observed at least once. Each module lists its tests in its own
//! `trials()` (an unlisted test function is dead code, which `make check` refuses).

mod concurrency;
mod conformance;
mod connections;
mod docs;
mod helpers;
mod items;
mod process;
mod rejections;
mod routes;
mod schemathesis;
mod spec;
mod stores;
mod unavailable;

use libtest_mimic::{Arguments, Failed, Trial};

/// The trials of a module: each named async test function, run to completion on its own
/// runtime, named `module::function`.
#[macro_export]
macro_rules! trials {
    ($($name:ident),* $(,)?) => {
        vec![$(
            libtest_mimic::Trial::test(
                format!("{}::{}", module_path!().trim_start_matches("contract::"), stringify!($name)),
                || {
                    $crate::helpers::block_on($name());
                    Ok(())
                },
            ),
        )*]
    };
}

fn main() {
    let args = Arguments::from_args();
    // Each module lists its own tests; their order here is the order they start in.
    let trials: Vec<Trial> = [
        items::trials(),
        rejections::trials(),
        routes::trials(),
        schemathesis::trials(),
        concurrency::trials(),
        unavailable::trials(),
        conformance::trials(),
        docs::trials(),
        process::trials(),
        connections::trials(),
        stores::trials(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let total = trials.len();
    let conclusion = libtest_mimic::run(&args, trials);
    helpers::drop_test_databases();

    // The gate only means something when every test ran: skip it for a filtered run.
    let filtered = conclusion.num_filtered_out > 0 || !args.skip.is_empty();
    if conclusion.has_failed() || filtered || args.list {
        if filtered && !args.list {
            eprintln!("coverage gate skipped: only part of the {total} contract tests ran");
        }
        conclusion.exit();
    }
    let gate = Trial::test("coverage_gate::every_declared_status_was_observed", || {
        let missing = helpers::coverage().missing(&spec::written());
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Failed::from(format!(
                "declared in openapi/items.yaml but never answered by any test: {}",
                missing.join(", ")
            )))
        }
    });
    libtest_mimic::run(
        &Arguments {
            test_threads: Some(1),
            ..Arguments::default()
        },
        vec![gate],
    )
    .exit();
}
