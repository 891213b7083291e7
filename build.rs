//! Generates the API from openapi/items.yaml into $OUT_DIR/items_api.rs, beside a copy of the
//! spec, which the generated code embeds and the server serves. (The pets and catalog examples
//! are crates of their own under examples/, each with its own build script.)
//!
//! items.yaml builds strict: every operation declares the rejections the server answers. On a
//! bad spec the generator prints one `cargo::error=` line per line of the report (file, line,
//! column, JSON pointer, what is wrong, what to do): cargo fails the build with the user's
//! mistake, not with a backtrace from here.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    codegen::Generator::new("openapi/items.yaml")
        .module("items_api")
        .strict(true)
        .run();
    link_order();
}

/// Asks the linker to put the functions the server runs next to each other
/// (server/link-order.txt, written by scripts/link-order) and to pack its relative relocations:
/// an idle server then maps about the code it ran, not 64 KiB around each function it touched,
/// and no 0.5 MB relocation table (BENCHMARKS.md, "Idle memory"). Only where rustc links with
/// its own lld, as it does by default on x86_64 Linux; a stale or missing name in the file is
/// skipped, so the file affects memory, never behaviour.
fn link_order() {
    println!("cargo::rerun-if-env-changed=CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER");
    let target = std::env::var("TARGET").unwrap_or_default();
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let own_linker = flags.contains("linker")
        || flags.contains("fuse-ld")
        || std::env::var_os("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER").is_some();
    if target != "x86_64-unknown-linux-gnu" || own_linker {
        return;
    }
    let order = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("server/link-order.txt");
    println!("cargo::rerun-if-changed={}", order.display());
    for arg in [
        format!("--symbol-ordering-file={}", order.display()),
        "--no-warn-symbol-ordering".to_owned(),
        "-z,pack-relative-relocs".to_owned(),
    ] {
        println!("cargo::rustc-link-arg-bin=items-server=-Wl,{arg}");
    }
}
