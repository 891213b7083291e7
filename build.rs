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
/// and no 0.5 MB relocation table (BENCHMARKS.md, "Idle memory, again"). A stale or missing
/// name in the file is skipped, so the file affects memory, never behaviour.
///
/// Only where the link is known to be rustc's own lld, which reads those flags (GNU ld does
/// not): x86_64 Linux, rustc 1.90 or later with `rust-lld` in its sysroot, and no linker of
/// the user's. Packed relocations also need glibc 2.36 to run.
fn link_order() {
    println!("cargo::rerun-if-env-changed=RUSTC_LINKER");
    let target = std::env::var("TARGET").unwrap_or_default();
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let own_linker = std::env::var_os("RUSTC_LINKER").is_some()
        || flags.contains("linker")
        || flags.contains("fuse-ld");
    if target != "x86_64-unknown-linux-gnu" || own_linker || !rust_lld_links() {
        return;
    }
    let order = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("server/link-order.txt");
    println!("cargo::rerun-if-changed={}", order.display());
    let mut args = vec![
        format!("--symbol-ordering-file={}", order.display()),
        "--no-warn-symbol-ordering".to_owned(),
    ];
    if glibc_at_least(2, 36) {
        args.push("-z,pack-relative-relocs".to_owned());
    }
    for arg in args {
        println!("cargo::rustc-link-arg-bin=items-server=-Wl,{arg}");
    }
}

/// Whether rustc links x86_64 Linux binaries with its own `rust-lld`, as it does by default
/// from 1.90 on when the toolchain ships it (rustup's does; a distribution's may not).
fn rust_lld_links() -> bool {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = |args: &[&str]| {
        std::process::Command::new(&rustc)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let minor = output(&["-vV"]).and_then(|v| {
        let release = v
            .lines()
            .find_map(|l| l.strip_prefix("release: "))?
            .to_owned();
        release.split('.').nth(1)?.parse::<u32>().ok()
    });
    let sysroot = output(&["--print", "sysroot"]).map(|s| s.trim().to_owned());
    minor.is_some_and(|m| m >= 90)
        && sysroot.is_some_and(|root| {
            std::path::Path::new(&root)
                .join("lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld")
                .exists()
        })
}

/// Whether the C library here is glibc `major.minor` or later (`getconf GNU_LIBC_VERSION`).
fn glibc_at_least(major: u32, minor: u32) -> bool {
    std::process::Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
        .ok()
        .and_then(|o| {
            let text = String::from_utf8_lossy(&o.stdout).into_owned();
            let version = text.trim().strip_prefix("glibc ")?.to_owned();
            let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
            Some((parts.next()??, parts.next()??))
        })
        .is_some_and(|found| found >= (major, minor))
}
