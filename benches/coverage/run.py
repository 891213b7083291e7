#!/usr/bin/env python3
"""Coverage over public OpenAPI documents: does codegen generate, and does the code compile?

For each document of specs.tsv fetched into .cache/specs (see fetch.py):

1. `codegen generate SPEC`: ok, refused (the spec has errors), panic, bug (the generated
   code did not parse) or timeout; the time it took; the error and warning counts; and the
   distinct refusal messages, with pointers, quoted names and values replaced by `_`.
2. For the generated ones, `cargo check` of the module in a scratch crate (.cache/check,
   depending on poem, poem-openapi and codegen-runtime like a user's crate would), unless
   the generated file is over 3 MB.

Writes results.tsv and results.md next to this script (or under --out).

    python3 benches/coverage/run.py                   # everything fetched (tens of minutes)
    python3 benches/coverage/run.py --no-compile      # generation only (a minute)
    python3 benches/coverage/run.py --only petstore   # one document (repeatable, or a,b,c)

Uses the release binary target/release/codegen (build it first with
`cargo build --release -p codegen`); Python standard library only.
"""

import argparse
import csv
import datetime
import hashlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SPECS_TSV = HERE / "specs.tsv"
CACHE = HERE / ".cache"
SPECS = CACHE / "specs"
OUT = CACHE / "out"
CHECK = CACHE / "check"
TARGET = CACHE / "target"

MAX_CHECK_BYTES = 3_000_000
TOP_FAMILIES = 15

CHECK_MANIFEST = """\
# Scratch crate of benches/coverage/run.py: src/api.rs is one generated module at a time.
[package]
name = "coverage-check"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
poem = {{ version = "3.1", default-features = false, features = ["server"] }}
poem-openapi = {{ version = "5.1", default-features = false, features = ["chrono", "uuid", "email", "cookie"] }}
codegen-runtime = {{ path = "{runtime}" }}

[workspace]
"""
CHECK_LIB = "#![allow(dead_code, unused)]\nmod api;\n"

COLUMNS = [
    "name", "openapi", "bytes", "operations",
    "generate", "gen_seconds", "errors", "warnings", "refusals",
    "rs_bytes", "check", "check_seconds", "check_errors", "first_check_error",
]


# ---------------------------------------------------------------------------- helpers

def read_specs():
    with open(SPECS_TSV, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def select(rows, only):
    if not only:
        return rows
    wanted = {w.strip() for o in only for w in o.split(",") if w.strip()}
    chosen = [r for r in rows if r["name"] in wanted or stem(r["name"]) in wanted]
    unknown = wanted - {r["name"] for r in chosen} - {stem(r["name"]) for r in chosen}
    if unknown:
        sys.exit(f"not in specs.tsv: {', '.join(sorted(unknown))}")
    return chosen


def stem(name):
    return name.rsplit(".", 1)[0]


def is_31(row):
    return row["openapi"].startswith("3.1")


def run_bounded(cmd, timeout, **kw):
    """Runs cmd in its own process group; on timeout kills that group. (rc or None, seconds)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, start_new_session=True, **kw)
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        rc = None
    return rc, time.monotonic() - start


def shortlist(names, limit=10):
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def human_size(n):
    n = int(n)
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(n / 1e3, 1):.0f} KB"


def one_line(text, limit=300):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# A JSON pointer (with or without `#`) in a message, up to whitespace or closing punctuation.
POINTER = re.compile(r"(?<![\w./~-])#?/[^\s,;)`'\"]*")
NUMBER = re.compile(r"(?<![\w.])(?<!RFC )-?\d+(?:\.\d+)?(?![\w.])")


def family(message):
    """A refusal message with the specifics (names, pointers, values) replaced by `_`."""
    m = re.sub(r"`[^`]*`", "`_`", message)
    m = re.sub(r'"[^"]*"', '"_"', m)
    m = POINTER.sub("_", m)
    m = NUMBER.sub("_", m)
    return one_line(m, 200)


def parse_codegen_stderr(name, stderr):
    """(errors, warnings, [refusal message]) from codegen's report on stderr.

    Diagnostics read `FILE[:LINE:COL]: [POINTER: ][warning: ]MESSAGE`, each followed by an
    indented `help:` line; the report ends with `N errors and M warnings in FILE`.
    """
    errors = warnings = None
    messages = []
    prefix = name
    for line in stderr.splitlines():
        if not line or line.startswith(" "):
            continue
        total = re.match(r"^(?:(\d+) errors?)?(?: and )?(?:(\d+) warnings?)? in (.*)$", line)
        if total and (total.group(1) or total.group(2)) and total.group(3) == name:
            errors = int(total.group(1) or 0)
            warnings = int(total.group(2) or 0)
            continue
        if not line.startswith(prefix):
            continue
        rest = re.sub(r"^:\d+:\d+", "", line[len(prefix):])
        if not rest.startswith(": "):
            continue
        rest = rest[2:]
        if rest.startswith("/"):
            cut = rest.find(": ")
            if cut < 0:
                continue
            rest = rest[cut + 2:]
        if rest.startswith("warning:"):
            continue
        messages.append(rest)
    return errors, warnings, messages


def panic_message(stderr):
    m = re.search(r"panicked at [^\n]*:\n(.*)", stderr)
    if m:
        return "panic: " + m.group(1)
    m = re.search(r"panicked at '([^']*)'", stderr)
    return "panic: " + (m.group(1) if m else one_line(stderr, 200))


def codegen_binary(path):
    binary = Path(path) if path else ROOT / "target" / "release" / "codegen"
    if not binary.is_file():
        sys.exit(f"{binary} does not exist: build it with `cargo build --release -p codegen`")
    return binary


def newest_source(dirs):
    newest = 0.0
    for d in dirs:
        for p in Path(d).rglob("*"):
            if p.is_file():
                newest = max(newest, p.stat().st_mtime)
    return newest


def git_describe():
    try:
        return subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def tool_version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"


# ---------------------------------------------------------------------------- generation

def generate(binary, row, timeout, strict):
    name = row["name"]
    rs = OUT / (stem(name) + ".rs")
    err = OUT / (stem(name) + ".err")
    rs.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(binary), "generate"] + (["--strict"] if strict else []) + [name]
    with open(rs, "wb") as out, open(err, "wb") as errf:
        # Run from the specs directory so diagnostics name the file as specs.tsv does.
        rc, seconds = run_bounded(cmd, timeout, cwd=SPECS, stdout=out, stderr=errf)
    stderr = err.read_text(errors="replace")
    errors, warnings, messages = parse_codegen_stderr(name, stderr)
    if rc is None:
        status = "timeout"
    elif rc == 0:
        status = "ok"
    elif "panicked at" in stderr:
        status = "panic"
        messages = [panic_message(stderr)]
    elif "codegen bug:" in stderr:
        status = "bug"
        messages = [one_line(stderr, 300)]
    else:
        status = "refused"
    if status != "ok":
        rs.unlink(missing_ok=True)
    elif errors is None:
        errors, warnings = 0, 0  # a clean spec: codegen prints no report at all
    counts = Counter(family(m) for m in messages)
    refusals = " | ".join(f"[{n}] {f}" for f, n in counts.most_common())
    return {
        "generate": status,
        "gen_seconds": f"{seconds:.2f}",
        "errors": "" if errors is None else str(errors),
        "warnings": "" if warnings is None else str(warnings),
        "refusals": refusals,
        "rs_bytes": str(rs.stat().st_size) if status == "ok" else "",
        "_families": sorted(counts),
    }


# ---------------------------------------------------------------------------- compilation

def cargo_env():
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = str(TARGET)
    # Every module is checked once: incremental state would only fill the disk.
    env["CARGO_INCREMENTAL"] = "0"
    return env


def prepare_check_crate(timeout):
    """Writes the scratch crate and builds its dependencies once, with an empty module."""
    (CHECK / "src").mkdir(parents=True, exist_ok=True)
    runtime = os.path.relpath(ROOT / "runtime", CHECK)
    (CHECK / "Cargo.toml").write_text(CHECK_MANIFEST.format(runtime=runtime))
    (CHECK / "src" / "lib.rs").write_text(CHECK_LIB)
    (CHECK / "src" / "api.rs").write_text("")
    # The versions the project itself is tested with (cargo drops what this crate doesn't use).
    shutil.copyfile(ROOT / "Cargo.lock", CHECK / "Cargo.lock")
    print("cargo check of the scratch crate with an empty module (builds the dependencies)...",
          flush=True)
    log = CACHE / "check-dependencies.log"
    with open(log, "wb") as f:
        rc, seconds = run_bounded(["cargo", "check", "--message-format", "short"],
                                  max(timeout, 1800), cwd=CHECK, env=cargo_env(),
                                  stdout=f, stderr=subprocess.STDOUT)
    if rc != 0:
        sys.exit(f"the scratch crate does not build even with an empty module; see {log}")
    print(f"  dependencies ready ({seconds:.0f} s)")


ERROR_LINE = re.compile(r"^(\S+?):\d+:\d+: error(\[E\d+\])?: (.*)$")


def check(row, timeout):
    name = row["name"]
    rs = OUT / (stem(name) + ".rs")
    size = rs.stat().st_size
    if size > MAX_CHECK_BYTES:
        return {"check": "skipped", "check_seconds": "", "check_errors": "",
                "first_check_error": f"generated code is {size / 1e6:.1f} MB, over "
                                     f"{MAX_CHECK_BYTES / 1e6:.0f} MB: not checked"}
    shutil.copyfile(rs, CHECK / "src" / "api.rs")
    log = OUT / (stem(name) + ".check")
    with open(log, "wb") as f:
        rc, seconds = run_bounded(["cargo", "check", "--message-format", "short"], timeout,
                                  cwd=CHECK, env=cargo_env(), stdout=f, stderr=subprocess.STDOUT)
    text = log.read_text(errors="replace")
    errors = [m for m in map(ERROR_LINE.match, text.splitlines()) if m]
    if rc is None:
        status = "timeout"
    elif rc == 0:
        status = "compiles"
    else:
        status = "fails"
    first = ""
    if errors:
        first = f"{errors[0].group(2) or ''} {errors[0].group(3)}".strip()
    elif status == "fails":
        first = one_line(next((l for l in text.splitlines() if l.startswith("error")), ""), 200)
    elif status == "timeout":
        first = f"cargo check did not finish in {timeout} s"
    return {"check": status, "check_seconds": f"{seconds:.1f}",
            "check_errors": str(len(errors)) if status != "timeout" else "",
            "first_check_error": one_line(first, 200)}


# ---------------------------------------------------------------------------- reports

def write_tsv(path, results):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(COLUMNS)
        for r in results:
            w.writerow([str(r.get(c, "")).replace("\t", " ").replace("\n", " ") for c in COLUMNS])


def md_escape(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def pct(n, m):
    return f"{n} of {m} ({100 * n / m:.0f}%)" if m else "0 of 0"


def summary_column(group, compiled):
    ran = [r for r in group if r["generate"] != "missing"]
    ok = [r for r in ran if r["generate"] == "ok"]
    by = Counter(r["generate"] for r in ran)
    times = [float(r["gen_seconds"]) for r in ran if r["generate"] != "timeout"]
    col = {
        "documents": str(len(ran)),
        "generated": pct(len(ok), len(ran)),
        "refused": str(by["refused"]),
        "panicked / codegen bug / timed out": f"{by['panic']} / {by['bug']} / {by['timeout']}",
        "median generation time": f"{statistics.median(times):.2f} s" if times else "-",
    }
    slow = max(ran, key=lambda r: float(r["gen_seconds"]), default=None)
    col["slowest generation"] = f"{slow['gen_seconds']} s ({slow['name']})" if slow else "-"
    if compiled:
        checked = [r for r in ok if r.get("check") in ("compiles", "fails", "timeout")]
        skipped = [r for r in ok if r.get("check") == "skipped"]
        n = sum(1 for r in ok if r.get("check") == "compiles")
        text = pct(n, len(ok)) if ok else "-"
        extra = []
        if skipped:
            extra.append(f"{len(skipped)} over 3 MB not checked")
        if any(r.get("check") == "timeout" for r in checked):
            extra.append(f"{sum(r.get('check') == 'timeout' for r in checked)} timed out")
        col["compiles (`cargo check`) of generated"] = text + (f"; {', '.join(extra)}" if extra else "")
    else:
        col["compiles (`cargo check`) of generated"] = "not run (`--no-compile`)"
    return col


def write_md(path, results, meta, compiled):
    v30 = [r for r in results if not r["_31"]]
    v31 = [r for r in results if r["_31"]]
    groups = [("OpenAPI 3.0", v30), ("OpenAPI 3.1", v31)]
    groups = [(t, g) for t, g in groups if g]
    lines = ["# Coverage over public OpenAPI documents", ""]
    lines.append("Generated by `python3 benches/coverage/run.py"
                 + (" " + " ".join(meta["argv"]) if meta["argv"] else "") + "`; "
                 "the documents and their sources are listed in `specs.tsv`. See README.md.")
    lines.append("")
    lines.append(f"- date: {meta['date']}")
    lines.append(f"- codegen: `{meta['git']}`, binary built {meta['binary_built']}"
                 + (" (**older than codegen/src**)" if meta["stale"] else ""))
    lines.append(f"- {meta['rustc']}, {meta['cargo']}")
    lines.append(f"- options: timeout {meta['timeout']} s per document"
                 + (", `--strict`" if meta["strict"] else "")
                 + (", `--no-compile`" if not compiled else "")
                 + (f", only {', '.join(meta['only'])}" if meta["only"] else ""))
    if meta["missing"]:
        lines.append(f"- **{len(meta['missing'])} of {meta['listed']} listed documents not "
                     f"fetched**, not counted: {shortlist(meta['missing'])}")
    if meta["differ"]:
        lines.append(f"- **{len(meta['differ'])} documents differ from their sha256 in "
                     f"specs.tsv**, not counted: {shortlist(meta['differ'])}")
    lines.append("")
    lines.append("## Summary")
    lines.append("")
    cols = [(t, summary_column([r for r in g], compiled)) for t, g in groups]
    lines.append("| | " + " | ".join(t for t, _ in cols) + " |")
    lines.append("|---|" + "---|" * len(cols))
    for key in cols[0][1]:
        lines.append(f"| {key} | " + " | ".join(md_escape(c[key]) for _, c in cols) + " |")
    lines.append("")

    fam_docs = defaultdict(lambda: [set(), set()])
    for r in results:
        for f in r["_families"]:
            fam_docs[f][1 if r["_31"] else 0].add(stem(r["name"]))
    if fam_docs:
        lines.append("## Top refusal families")
        lines.append("")
        lines.append("Distinct error messages, with names, pointers and values replaced by `_`, "
                     "and how many documents report each.")
        lines.append("")
        lines.append("| message | 3.0 documents | 3.1 documents | e.g. |")
        lines.append("|---|---|---|---|")
        ranked = sorted(fam_docs.items(), key=lambda kv: (-len(kv[1][0]), -len(kv[1][1]), kv[0]))
        for f, (d30, d31) in ranked[:TOP_FAMILIES]:
            eg = ", ".join(sorted(d30 | d31)[:4]) + (", …" if len(d30 | d31) > 4 else "")
            lines.append(f"| {md_escape(f)} | {len(d30)} | {len(d31)} | {md_escape(eg)} |")
        if len(ranked) > TOP_FAMILIES:
            lines.append("")
            lines.append(f"{len(ranked) - TOP_FAMILIES} more families in `results.tsv` (column "
                         "`refusals`).")
        lines.append("")

    lines.append("## Per document")
    lines.append("")
    lines.append("| document | OpenAPI | ops | size | generate | time | errors | warnings "
                 "| check | check time | first refusal or compile error |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        note = r.get("first_check_error") or r["refusals"].split(" | ")[0]
        lines.append("| " + " | ".join(md_escape(x) for x in [
            r["name"], r["openapi"], r["operations"], human_size(r["bytes"]),
            r["generate"], f"{r['gen_seconds']} s", r["errors"], r["warnings"],
            r.get("check", ""), f"{r['check_seconds']} s" if r.get("check_seconds") else "",
            one_line(note, 160)]) + " |")
    lines.append("")
    Path(path).write_text("\n".join(lines))


# ---------------------------------------------------------------------------- main

def main():
    global SPECS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only this document (name as in specs.tsv, extension optional); "
                         "repeatable or comma-separated")
    ap.add_argument("--no-compile", action="store_true",
                    help="generate only; do not cargo check the generated modules")
    ap.add_argument("--timeout", type=int, default=420, metavar="SECONDS",
                    help="per-document limit for generation and for cargo check (default 420)")
    ap.add_argument("--strict", action="store_true", help="pass --strict to codegen")
    ap.add_argument("--codegen", metavar="PATH",
                    help="the codegen binary (default target/release/codegen)")
    ap.add_argument("--specs", metavar="DIR", default=str(SPECS),
                    help="where the documents are (default .cache/specs, where fetch.py puts "
                         "them); each must match its sha256 in specs.tsv")
    ap.add_argument("--out", metavar="DIR", default=str(HERE),
                    help="where results.tsv and results.md go (default: next to this script)")
    args = ap.parse_args()

    binary = codegen_binary(args.codegen)
    built = binary.stat().st_mtime
    stale = newest_source([ROOT / "codegen" / "src", ROOT / "codegen" / "templates"]) > built
    if stale:
        print(f"warning: {binary} is older than codegen/src; results are for the old binary",
              file=sys.stderr)

    SPECS = Path(args.specs).resolve()
    rows = select(read_specs(), args.only)
    present, missing, differ = [], [], []
    for r in rows:
        p = SPECS / r["name"]
        if not p.is_file():
            missing.append(r["name"])
        elif hashlib.sha256(p.read_bytes()).hexdigest() != r["sha256"]:
            differ.append(r["name"])
        else:
            present.append(r)
    if not present:
        sys.exit(f"no documents of specs.tsv in {SPECS}: run fetch.py first")
    if missing:
        print(f"{len(missing)} of {len(rows)} documents not fetched, skipped (run fetch.py): "
              f"{shortlist(missing)}", file=sys.stderr)
    if differ:
        print(f"{len(differ)} documents differ from their sha256 in specs.tsv, skipped: "
              f"{shortlist(differ)}", file=sys.stderr)
    OUT.mkdir(parents=True, exist_ok=True)

    results = []
    for i, row in enumerate(present, 1):
        r = {"name": row["name"], "openapi": row["openapi"], "bytes": row["bytes"],
             "operations": row["operations"], "_31": is_31(row)}
        r.update(generate(binary, row, args.timeout, args.strict))
        print(f"[{i}/{len(present)}] {row['name']}: {r['generate']} in {r['gen_seconds']} s"
              + (f", {r['errors']} errors" if r["errors"] not in ("", "0") else ""), flush=True)
        results.append(r)

    compiled = not args.no_compile
    if compiled:
        to_check = [r for r in results if r["generate"] == "ok"]
        if to_check:
            prepare_check_crate(args.timeout)
        for i, r in enumerate(to_check, 1):
            r.update(check(r, args.timeout))
            print(f"[{i}/{len(to_check)}] cargo check {r['name']}: {r['check']}"
                  + (f" in {r['check_seconds']} s" if r["check_seconds"] else "")
                  + (f", {r['check_errors']} errors" if r["check_errors"] not in ("", "0") else ""),
                  flush=True)

    meta = {
        "argv": sys.argv[1:],
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "git": git_describe(),
        "binary_built": datetime.datetime.fromtimestamp(built).astimezone()
                                        .strftime("%Y-%m-%d %H:%M %Z"),
        "stale": stale,
        "rustc": tool_version(["rustc", "--version"]),
        "cargo": tool_version(["cargo", "--version"]),
        "timeout": args.timeout,
        "strict": args.strict,
        "only": args.only or [],
        "missing": missing,
        "differ": differ,
        "listed": len(rows),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_tsv(out / "results.tsv", results)
    write_md(out / "results.md", results, meta, compiled)

    for title, group in (("3.0", [r for r in results if not r["_31"]]),
                         ("3.1", [r for r in results if r["_31"]])):
        if group:
            s = summary_column(group, compiled)
            print(f"OpenAPI {title}: generated {s['generated']}; compiles "
                  f"{s['compiles (`cargo check`) of generated']}; median generation "
                  f"{s['median generation time']}")
    print(f"wrote {out / 'results.tsv'} and {out / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
