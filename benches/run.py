#!/usr/bin/env python3
"""Benchmarks: the generated items server against hand-written baselines, side by side.

Builds release binaries, starts each server pinned to CPU 0, drives it over loopback with wrk
pinned to CPU 1 (64 connections), warm-up then 3 runs per case, and records the median with
min-max of req/s and p50/p99 latency, plus idle and peak RSS and cold start time. Also
measures the build side: codegen time and incremental rebuilds after a one-line spec edit.

    python3 benches/run.py            # everything, writes benches/results/ and BENCHMARKS.md
    python3 benches/run.py --smoke    # 1-second runs of the generated server only (CI)

Traffic goes to 127.0.0.1 only; every wrk run is bounded in time.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = ROOT / "benches"
RESULTS = BENCHES / "results"
BASELINES = BENCHES / "baselines"
VENV = ROOT / "target" / "python"
PG_ADMIN = os.environ.get("ITEMS_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")

CASES = {
    "get": "GET existing item",
    "put_update": "PUT update (200)",
    "put_distinct": "PUT update, 64 ids (200)",
    "put_create": "PUT create (201)",
    "mix": "90/10 GET/PUT",
    "list": "list page of 20",
}
SERVER_CPU, LOAD_CPU = "0", "1"
CONNECTIONS = 64


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    log(" ".join(str(c) for c in cmd))
    return subprocess.run(cmd, check=True, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None):
    req = urllib.request.Request(url, method=method, data=body)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def rss_kb(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def process_tree_rss(pid, field):
    """RSS of a process and its children (uvicorn forks a worker)."""
    total = rss_kb(pid, field)
    for child in Path(f"/proc/{pid}/task").iterdir():
        children = child / "children"
        if children.exists():
            for c in children.read_text().split():
                total += process_tree_rss(int(c), field)
    return total


class Server:
    def __init__(self, name, cmd, cwd=None, env=None):
        self.name, self.cmd, self.cwd, self.env = name, cmd, cwd, env
        self.port = free_port()

    def start(self):
        cmd = [str(c).replace("{port}", str(self.port)) for c in self.cmd]
        env = dict(os.environ, **(self.env or {}))
        started = time.monotonic()
        self.proc = subprocess.Popen(
            ["taskset", "-c", SERVER_CPU, *cmd], cwd=self.cwd, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{self.port}"
        deadline = started + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}")
            try:
                if http("GET", base + "/items/foo") == 200:
                    self.cold_start_ms = (time.monotonic() - started) * 1000
                    break
            except OSError:
                pass
            time.sleep(0.01)
        else:
            raise RuntimeError(f"{self.name} did not answer within 60 s")
        self.base = base
        time.sleep(0.5)
        self.idle_rss_kb = process_tree_rss(self.proc.pid, "VmRSS")
        # The list case reads a page of 20 out of 100 stored items.
        for i in range(100):
            http("PUT", f"{base}/items/list{i:03}", b'{"name":"listed","size":1}')
        return self

    def stop(self):
        self.peak_rss_kb = process_tree_rss(self.proc.pid, "VmHWM")
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def wrk(base, case, seconds):
    out = subprocess.run(
        ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency",
         "-s", str(BENCHES / "wrk" / f"{case}.lua"), base],
        check=True, capture_output=True, text=True, timeout=seconds + 30).stdout
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    lat = {p: float(v) * unit[u] for p, v, u in LATENCY.findall(out)}
    bad = NON_2XX.search(out)
    if bad:
        raise RuntimeError(f"{case}: {bad.group(1)} responses were not 2xx:\n{out}")
    return {"rps": float(RPS.search(out).group(1)), "p50_ms": lat["50"], "p99_ms": lat["99"]}


def measure(server, cases, seconds, runs):
    result = {}
    for case in cases:
        wrk(server.base, case, max(1, seconds // 3))  # warm-up
        samples = [wrk(server.base, case, seconds) for _ in range(runs)]
        rps = [s["rps"] for s in samples]
        result[case] = {
            "rps_median": statistics.median(rps), "rps_min": min(rps), "rps_max": max(rps),
            "p50_ms": statistics.median(s["p50_ms"] for s in samples),
            "p99_ms": statistics.median(s["p99_ms"] for s in samples),
            "runs": samples,
        }
        log(f"{server.name} {case}: {result[case]['rps_median']:.0f} req/s "
            f"(p99 {result[case]['p99_ms']:.2f} ms)")
    return result


def two_processes(seconds, runs):
    """PUT over 64 ids and GET on PostgreSQL: one items-server process against two on the same
    database, each driven by its own wrk with half the connections. The machine has 2 cores:
    the servers share CPU 0, both wrk CPU 1, and PostgreSQL runs wherever it gets time, so this
    shows what a second process costs or gains on one core, not how far it scales."""
    items = ROOT / "target" / "release" / "items-server"
    url = PG_ADMIN.rsplit("/", 1)[0] + "/items_bench"
    quiet = {"ITEMS_LOG": "warn"}
    out = {}
    for count in (1, 2):
        procs = [Server(f"PostgreSQL, process {i + 1} of {count}",
                        [items, "--listen", "127.0.0.1:{port}", "--store", url, "--seed"],
                        env=quiet).start() for i in range(count)]
        try:
            for case in ("put_distinct", "get"):
                totals = []
                for run_index in range(runs + 1):  # the first is the warm-up
                    length = max(1, seconds // 3) if run_index == 0 else seconds
                    per = CONNECTIONS // count
                    with_conns = [subprocess.Popen(
                        ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{per}", f"-d{length}s",
                         "-s", str(BENCHES / "wrk" / f"{case}.lua"), p.base],
                        stdout=subprocess.PIPE, text=True) for p in procs]
                    outs = [w.communicate(timeout=length + 30)[0] for w in with_conns]
                    if run_index > 0:
                        totals.append(sum(float(RPS.search(o).group(1)) for o in outs))
                out[f"{count} process{'es' if count > 1 else ''} {case}"] = statistics.median(totals)
                log(f"two_processes: {count} process(es) {case}: {statistics.median(totals):.0f} req/s")
        finally:
            for p in procs:
                p.stop()
    return out


def psql(sql):
    run(["psql", PG_ADMIN, "-q", "-c", sql], stdout=subprocess.DEVNULL)


def ensure_venv():
    """The repository's one virtualenv (scripts/python-env), plus matplotlib for the plot."""
    run([str(ROOT / "scripts" / "python-env")], stdout=subprocess.DEVNULL)
    if subprocess.run([str(VENV / "bin" / "python"), "-c", "import matplotlib"],
                      stderr=subprocess.DEVNULL).returncode != 0:
        run([str(VENV / "bin" / "pip"), "install", "-q", "matplotlib"])


def servers(smoke, tmp):
    items = ROOT / "target" / "release" / "items-server"
    # The access log (one line per request at `info`) is off, as the baselines log nothing
    # per request either; its cost is measured as its own case below.
    quiet = {"ITEMS_LOG": "warn"}
    base_bin = BASELINES / "target" / "release"
    listen = ["--listen", "127.0.0.1:{port}"]
    out = [Server("generated (memory)", [items, *listen, "--store", "memory:", "--seed"], env=quiet)]
    if smoke:
        return out
    out += [
        Server("generated (memory, access log on)", [items, *listen, "--store", "memory:", "--seed"],
               env={"ITEMS_LOG": "info"}),
        # What recording the metrics costs: the same server without it.
        Server("generated (memory, metrics off)", [items, *listen, "--store", "memory:", "--seed",
                                                   "--metrics", "off"], env=quiet),
        Server("generated (SQLite)", [items, *listen, "--store", f"sqlite://{tmp}/bench.db", "--seed"], env=quiet),
        Server("generated (PostgreSQL)", [items, *listen, "--store", PG_ADMIN.rsplit("/", 1)[0] + "/items_bench", "--seed"], env=quiet),
        Server("hand-written poem-openapi", [base_bin / "poem-items", *listen, "--seed"]),
        Server("hand-written axum", [base_bin / "axum-items", *listen, "--seed"]),
        Server("FastAPI (uvicorn)", [VENV / "bin" / "uvicorn", "app:app", "--host", "127.0.0.1",
                                     "--port", "{port}", "--workers", "1", "--log-level", "warning"],
               cwd=BASELINES / "fastapi"),
        Server("hyper constant response", [base_bin / "hyper-constant", *listen]),
    ]
    return out


def build_side(tmp):
    """Codegen time for items.yaml and a 500-operation spec; incremental rebuild after a
    one-line spec edit versus the same edit in the hand-written poem-openapi twin."""
    codegen = ROOT / "target" / "release" / "codegen"
    big = Path(tmp) / "spec500.yaml"
    big.write_text(spec_with_operations(500))

    def timed(cmd, cwd=ROOT, env=None, n=5):
        times = []
        for _ in range(n):
            t = time.monotonic()
            subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=env)
            times.append((time.monotonic() - t) * 1000)
        return statistics.median(times)

    result = {
        "codegen_items_ms": timed([codegen, "generate", "openapi/items.yaml"]),
        "codegen_500_ops_ms": timed([codegen, "generate", str(big)]),
    }
    spec = ROOT / "openapi" / "items.yaml"
    twin = BASELINES / "src" / "bin" / "poem-items.rs"
    run(["cargo", "build", "-q", "--bin", "items-server"], cwd=ROOT)
    run(["cargo", "build", "-q", "--bin", "poem-items"], cwd=BASELINES,
        env=dict(os.environ, CARGO_TARGET_DIR=str(BASELINES / "target")))
    for key, path, old, new, cmd, cwd, env in [
        ("rebuild_after_spec_edit_ms", spec, "summary: Read an item", "summary: Read one item",
         ["cargo", "build", "-q", "--bin", "items-server"], ROOT, None),
        ("rebuild_after_twin_edit_ms", twin, "Read an item", "Read one item",
         ["cargo", "build", "-q", "--bin", "poem-items"], BASELINES,
         dict(os.environ, CARGO_TARGET_DIR=str(BASELINES / "target"))),
    ]:
        original = path.read_text()
        if old not in original:
            log(f"skipping {key}: `{old}` not found in {path}")
            continue
        times = []
        try:
            for i in range(3):
                path.write_text(original.replace(old, new if i % 2 == 0 else old))
                t = time.monotonic()
                subprocess.run(cmd, cwd=cwd, env=env, check=True)
                times.append((time.monotonic() - t) * 1000)
        finally:
            path.write_text(original)
            subprocess.run(cmd, cwd=cwd, env=env, check=True)
        result[key] = statistics.median(times)
    return result


def spec_with_operations(n):
    """A valid spec with n operations (n/2 paths with GET and PUT), for codegen timing."""
    paths = []
    for i in range(n // 2):
        paths.append(f"""  /things{i}/{{id}}:
    get:
      operationId: getThing{i}
      summary: Read thing {i}
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string, maxLength: 64}}}}
      responses:
        '200': {{description: The thing., content: {{application/json: {{schema: {{$ref: '#/components/schemas/Thing'}}}}}}}}
        '400': {{description: Bad id., content: {{application/problem+json: {{schema: {{$ref: '#/components/schemas/Problem'}}}}}}}}
    put:
      operationId: putThing{i}
      summary: Store thing {i}
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string, maxLength: 64}}}}
      requestBody:
        required: true
        content: {{application/json: {{schema: {{$ref: '#/components/schemas/Thing'}}}}}}
      responses:
        '200': {{description: Stored., content: {{application/json: {{schema: {{$ref: '#/components/schemas/Thing'}}}}}}}}
        '400': {{description: Bad thing., content: {{application/problem+json: {{schema: {{$ref: '#/components/schemas/Problem'}}}}}}}}
        '413': {{description: Too large., content: {{application/problem+json: {{schema: {{$ref: '#/components/schemas/Problem'}}}}}}}}
        '415': {{description: Not JSON., content: {{application/problem+json: {{schema: {{$ref: '#/components/schemas/Problem'}}}}}}}}
""")
    return f"""openapi: 3.0.3
info: {{title: Things, version: '1'}}
paths:
{''.join(paths)}components:
  schemas:
    Thing:
      type: object
      properties:
        name: {{type: string, maxLength: 100}}
        size: {{type: integer, format: int64, minimum: 0}}
    Problem:
      type: object
      required: [status]
      properties:
        type: {{type: string}}
        title: {{type: string}}
        status: {{type: integer, format: int32}}
        detail: {{type: string}}
"""


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_gib": round(int(mem) / 2**20),
            "kernel": platform.release(), "rustc": rustc,
            "wrk": f"-t1 -c{CONNECTIONS}, pinned to CPU {LOAD_CPU}; server pinned to CPU {SERVER_CPU}"}


def markdown(report):
    lines = ["| server | " + " | ".join(CASES[c] for c in report["cases"]) + " |",
             "| --- |" + " ---: |" * len(report["cases"])]
    axum = report["servers"].get("hand-written axum", {}).get("cases", {})
    for name, s in report["servers"].items():
        cells = []
        for c in report["cases"]:
            r = s["cases"][c]
            ratio = f" ({r['rps_median'] / axum[c]['rps_median']:.2f}×)" if c in axum else ""
            cells.append(f"{r['rps_median']:,.0f}{ratio}<br>{r['rps_min']:,.0f}–{r['rps_max']:,.0f}"
                         f"<br>p50 {r['p50_ms']:.2f} / p99 {r['p99_ms']:.2f} ms")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    on = report["servers"].get("generated (memory)", {}).get("cases", {})
    off = report["servers"].get("generated (memory, metrics off)", {}).get("cases", {})
    if on and off:
        costs = [f"{CASES[c]} {1 - on[c]['rps_median'] / off[c]['rps_median']:+.1%}"
                 for c in report["cases"] if c in on and c in off]
        lines += ["", "Cost of the metrics (throughput of `generated (memory)` below the same "
                  "server with `--metrics off`; negative: within noise): " + ", ".join(costs) + "."]
    lines += ["", "| server | idle RSS | peak RSS | cold start |", "| --- | ---: | ---: | ---: |"]
    for name, s in report["servers"].items():
        lines.append(f"| {name} | {s['idle_rss_kb'] / 1024:.1f} MiB | {s['peak_rss_kb'] / 1024:.1f} MiB "
                     f"| {s['cold_start_ms']:.0f} ms |")
    if "link_order" in report:
        lines += ["", f"Link order: {report['link_order']}."]
    if "two_processes" in report:
        t = report["two_processes"]
        lines += ["", "PostgreSQL, one server process against two on the same database (servers "
                  "share CPU 0, wrk CPU 1, 2 cores in all; req/s, median):", "",
                  "| case | 1 process | 2 processes |", "| --- | ---: | ---: |"]
        for case in ("put_distinct", "get"):
            one, two = t.get(f"1 process {case}"), t.get(f"2 processes {case}")
            if one and two:
                lines.append(f"| {CASES[case]} | {one:,.0f} | {two:,.0f} |")
    if "build" in report:
        b = report["build"]
        lines += ["", "| build step | time |", "| --- | ---: |"]
        for key, label in [("codegen_items_ms", "codegen, items.yaml (4 operations)"),
                           ("codegen_500_ops_ms", "codegen, 500-operation spec"),
                           ("rebuild_after_spec_edit_ms", "`cargo build` after a one-line items.yaml edit"),
                           ("rebuild_after_twin_edit_ms", "`cargo build` after the same edit in the hand-written poem-openapi twin")]:
            if key in b:
                lines.append(f"| {label} | {b[key]:,.0f} ms |")
    return "\n".join(lines)


def plot(report, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        # matplotlib lives in the benchmark's virtualenv: draw from there.
        if (VENV / "bin" / "python").exists() and sys.executable != str(VENV / "bin" / "python"):
            run([str(VENV / "bin" / "python"), __file__, "--plot", str(RESULTS / "latest.json")])
        else:
            log("matplotlib missing: no plot")
        return
    names = list(report["servers"])
    cases = report["cases"]
    fig, ax = plt.subplots(figsize=(11, 5))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        vals = [report["servers"][name]["cases"][c]["rps_median"] for c in cases]
        ax.bar([x + i * width for x in range(len(cases))], vals, width, label=name)
    ax.set_xticks([x + width * (len(names) - 1) / 2 for x in range(len(cases))])
    ax.set_xticklabels([CASES[c] for c in cases])
    ax.set_ylabel("requests/s (median of 3)")
    ax.set_title("items: generated server vs baselines (server on 1 core, wrk on the other, 64 connections)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="1-second runs of the generated server only")
    ap.add_argument("--seconds", type=int, default=5, help="length of one measured run")
    ap.add_argument("--no-build-side", action="store_true", help="skip codegen and rebuild timings")
    ap.add_argument("--plot", metavar="JSON", help="only draw the plot of a results file")
    ap.add_argument("--only", metavar="TEXT",
                    help="only the servers whose name contains TEXT; prints, writes no file")
    args = ap.parse_args()
    if args.plot:
        plot(json.loads(Path(args.plot).read_text()), RESULTS / "throughput.png")
        return
    seconds, runs = (1, 1) if args.smoke else (args.seconds, 3)

    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (make bench does it)")
    run(["cargo", "build", "--release", "-q", "-p", "items", "-p", "codegen"], cwd=ROOT)
    baselines = ("hand-written poem-openapi", "hand-written axum", "FastAPI (uvicorn)",
                 "hyper constant response")
    needs_baselines = not args.only or any(args.only in name for name in baselines)
    if not args.smoke and needs_baselines:
        run(["cargo", "build", "--release", "-q"], cwd=BASELINES,
            env=dict(os.environ, CARGO_TARGET_DIR=str(BASELINES / "target")))
        ensure_venv()
    if not args.smoke:
        psql("DROP DATABASE IF EXISTS items_bench WITH (FORCE)")
        psql("CREATE DATABASE items_bench")

    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(),
              "seconds": seconds, "runs": runs, "cases": list(CASES), "servers": {},
              # How much of the link order (server/link-order.txt) the measured binary has:
              # a stale one shows here as idle memory that came back.
              "link_order": subprocess.run([str(ROOT / "scripts" / "link-order"), "--check"],
                                           capture_output=True, text=True,
                                           check=True).stdout.strip()}
    with tempfile.TemporaryDirectory() as tmp:
        for server in servers(args.smoke, tmp):
            if args.only and args.only not in server.name:
                continue
            server.start()
            try:
                cases = measure(server, CASES, seconds, runs)
            finally:
                server.stop()
            report["servers"][server.name] = {
                "cases": cases, "idle_rss_kb": server.idle_rss_kb,
                "peak_rss_kb": server.peak_rss_kb, "cold_start_ms": server.cold_start_ms}
        if not args.smoke and (not args.only or args.only in "generated (PostgreSQL)"):
            report["two_processes"] = two_processes(seconds, runs)
        if not args.smoke and not args.no_build_side and not args.only:
            report["build"] = build_side(tmp)
    if not args.smoke:
        psql("DROP DATABASE IF EXISTS items_bench WITH (FORCE)")

    table = markdown(report)
    print(table)
    if args.smoke or args.only:
        return
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    plot(report, RESULTS / "throughput.png")
    doc = ROOT / "BENCHMARKS.md"
    text = doc.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start in text and end in text:
        body = (f"{start}\nMeasured {report['date']} on {report['machine']['cpu']}, "
                f"{report['machine']['cores']} cores; {seconds} s per run, median of {runs} runs "
                f"(min–max below it); ratios are to hand-written axum.\n\n{table}\n\n"
                f"![throughput](benches/results/throughput.png)\n{end}")
        doc.write_text(text[:text.index(start)] + body + text[text.index(end) + len(end):])


if __name__ == "__main__":
    main()
