"""Load test of the REST API: concurrent clients entering and reading data points over HTTP.

    .venv/bin/python benchmarks/bench_api_load.py [--clients 50] [--duration 20] [--workers N]
        [--postgres URL] [--read-share 0.5] [--keep]

Starts ``esgledger serve`` (uvicorn, on 127.0.0.1 only, a free port) on a fresh ledger: a temporary
SQLite file, or with ``--postgres URL`` a scratch database created on that server (the URL's
database is only used to connect) and dropped afterwards. The group has one plant per ten clients,
each with a data owner. Every client signs in (before the clock starts), then for ``--duration``
seconds loops: with probability ``--read-share`` it reads one of its data points (GET), otherwise it
writes: it enters the next metric of its own period (POST) until every input metric has a value,
then corrects them in turn (PATCH with the version it holds; a 409 counts as a write that was
refused and the client takes the current version from the answer). Values stay near 1 in the
metric's own unit (every metric whose checks accept 1 is used), so that plausibility bounds hold.

Reports writes per second (landed POST and PATCH), reads per second, and p50/p99 latency of writes,
reads and all requests, and the CPU used by the server, the load generator and the whole machine.
Targets: >= 300 writes/s and p99 <= 200 ms (writes and reads) on a 2-core machine. The load generator
runs in this process (asyncio + aiohttp), on the same machine as the server, so it takes part of the
CPU. Then the same load runs against the floor, ``load_floor_app.py`` (the same HTTP stack without a
ledger), and the ratios of the two are printed. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
import sqlalchemy as sa
from admin_ledger import create_ledger, open_ledger

from esgledger.service_errors import Invalid
from esgledger.workflow.entries import Entry, validate

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Load-bench passphrase 2026!"
API = "/api/v1"


@dataclass
class Stats:
    write_ms: list[float] = field(default_factory=list)
    read_ms: list[float] = field(default_factory=list)
    conflicts: int = 0
    errors: dict[int, int] = field(default_factory=dict)
    samples: dict[int, str] = field(default_factory=dict)  # the first error body of each status

    def error(self, answer: Answer) -> None:
        self.errors[answer.status] = self.errors.get(answer.status, 0) + 1
        self.samples.setdefault(answer.status, answer.text[:300])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(url: str, clients: int, directory: Path) -> list[tuple[str, str]]:
    """Initialise the ledger with a group, one plant and data owner per ten clients; return the
    (username, entity) of each client."""
    ledger = create_ledger(url, directory / "files")
    plants = max(1, clients // 10)
    organisation = directory / "org.csv"
    rows = ["id,name,parent,country,type", "grp,Group,,CN,group"]
    rows += [f"plant{n},Plant {n},grp,CN,plant" for n in range(plants)]
    organisation.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ledger.import_organisation(organisation)
    for n in range(plants):
        ledger.services.accounts.create(
            ledger.admin, f"owner{n}", PASSWORD, "data_owner", [f"plant{n}"]
        )
    ledger.db.dispose()
    return [(f"owner{k % plants}", f"plant{k % plants}") for k in range(clients)]


def input_metrics(url: str, directory: Path, entity: str = "plant0") -> list[tuple[str, str]]:
    """The metrics a data owner may enter a positive number for on ``entity``, in the metric's
    own unit."""
    ledger = open_ledger(url, directory / "files")
    entities = [e for e in ledger.entities() if e.id == entity]
    metrics = []
    for metric in ledger.catalogue.inputs():
        try:
            validate(Entry(entity, "2024", metric.id, 1.0, metric.unit), ledger.catalogue, entities)
        except Invalid:
            continue  # e.g. metrics filled from the transfer register, not entered
        metrics.append((metric.id, metric.unit))
    ledger.db.dispose()
    return metrics


@dataclass
class Answer:
    status: int
    body: dict | None
    text: str


async def call(http: aiohttp.ClientSession, method: str, path: str, body: dict | None) -> Answer:
    async with http.request(method, f"{API}{path}", json=body) as response:
        text = await response.text()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        return Answer(response.status, parsed, text)


async def client_loop(
    number: int,
    entity: str,
    metrics: list[tuple[str, str]],
    http: aiohttp.ClientSession,
    deadline: float,
    read_share: float,
    stats: Stats,
) -> None:
    rng = random.Random(number)
    period = str(1950 + number)  # each client enters its own period: no two create the same key
    held: list[dict] = []  # [{"id", "version"}] of the values this client entered
    untried = list(metrics)  # metrics this client has not tried to enter yet
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        if held and rng.random() < read_share:
            answer = await call(http, "GET", f"/datapoints/{rng.choice(held)['id']}", None)
            elapsed = (time.perf_counter() - start) * 1000
            if answer.status == 200:
                stats.read_ms.append(elapsed)
            else:
                stats.error(answer)
            continue
        if untried:
            metric, unit = untried.pop(0)
            body = {
                "entity": entity,
                "period": period,
                "metric": metric,
                "value": rng.uniform(0.9, 1.1),
                "unit": unit,
            }
            answer = await call(http, "POST", "/datapoints", body)
            target = None
        else:
            target = rng.choice(held)
            body = {"version": target["version"], "value": rng.uniform(0.9, 1.1)}
            answer = await call(http, "PATCH", f"/datapoints/{target['id']}", body)
        elapsed = (time.perf_counter() - start) * 1000
        if answer.status in (200, 201) and answer.body is not None:
            stats.write_ms.append(elapsed)
            if target is None:
                held.append({"id": answer.body["id"], "version": answer.body["version"]})
            else:
                target.update(id=answer.body["id"], version=answer.body["version"])
        elif answer.status == 409 and target is not None and answer.body is not None:
            stats.conflicts += 1
            current = answer.body["error"]["details"]["current"]
            target.update(id=current["id"], version=current["version"])
        else:
            stats.error(answer)


async def sign_in(base: str, users: set[str]) -> dict[str, str]:
    async with aiohttp.ClientSession(base_url=base) as http:
        tokens = {}
        for user in sorted(users):
            answer = await call(
                http, "POST", "/auth/token", {"username": user, "password": PASSWORD}
            )
            if answer.status != 200 or answer.body is None:
                raise SystemExit(f"sign-in of {user} failed: {answer.status} {answer.text[:200]}")
            tokens[user] = answer.body["access_token"]
        return tokens


async def run_load(
    base: str,
    assignments: list[tuple[str, str]],
    metrics: list[tuple[str, str]],
    duration: float,
    read_share: float,
) -> tuple[Stats, float]:
    tokens = await sign_in(base, {user for user, _ in assignments})
    stats = Stats()
    # One session (one keep-alive connection) per client, like separate users' browsers or scripts.
    sessions = [
        aiohttp.ClientSession(
            base_url=base,
            headers={"Authorization": f"Bearer {tokens[user]}"},
            connector=aiohttp.TCPConnector(limit=1),
            timeout=aiohttp.ClientTimeout(total=30),
        )
        for user, _ in assignments
    ]
    try:
        started = time.perf_counter()
        deadline = started + duration
        await asyncio.gather(
            *(
                client_loop(n, entity, metrics, sessions[n], deadline, read_share, stats)
                for n, (_, entity) in enumerate(assignments)
            )
        )
        return stats, time.perf_counter() - started
    finally:
        for session in sessions:
            await session.close()


def wait_ready(base: str, server: subprocess.Popen, path: str, timeout: float = 60) -> None:
    until = time.time() + timeout
    while time.time() < until:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}")
        try:
            if httpx.get(f"{base}{path}", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start in time")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children (the uvicorn workers), on Linux."""
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    for each in pids:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def machine_busy_seconds() -> float:
    """CPU seconds spent by every process on the machine (user, nice, system, irq), on Linux."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(
    stats: Stats, elapsed: float, backend: str, clients: int, workers: int, server_cpu: float
) -> dict:
    everything = stats.write_ms + stats.read_ms
    return {
        "backend": backend,
        "clients": clients,
        "workers": workers,
        "seconds": round(elapsed, 1),
        "writes": len(stats.write_ms),
        "reads": len(stats.read_ms),
        "conflicts": stats.conflicts,
        "errors": stats.errors,
        "writes_per_s": round(len(stats.write_ms) / elapsed, 1),
        "reads_per_s": round(len(stats.read_ms) / elapsed, 1),
        "write_p50_ms": round(percentile(stats.write_ms, 0.5), 1),
        "write_p99_ms": round(percentile(stats.write_ms, 0.99), 1),
        "read_p50_ms": round(percentile(stats.read_ms, 0.5), 1),
        "read_p99_ms": round(percentile(stats.read_ms, 0.99), 1),
        "all_p50_ms": round(percentile(everything, 0.5), 1),
        "all_p99_ms": round(percentile(everything, 0.99), 1),
        "mean_ms": round(statistics.fmean(everything), 1) if everything else None,
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, len(everything)), 2),
        "server_cores_busy": round(server_cpu / elapsed, 2),
        "error_samples": stats.samples,
    }


def measure(
    command: list[str],
    base: str,
    directory: Path,
    assignments: list[tuple[str, str]],
    metrics: list[tuple[str, str]],
    args: argparse.Namespace,
    backend: str,
    ready_path: str,
) -> dict:
    """Start a server with ``command``, run the load against it, stop it; return the summary."""
    environment = {**os.environ, "ESGLEDGER_FILES_DIR": str(directory / "files")}
    environment.pop("ESGLEDGER_DATABASE_URL", None)
    server = subprocess.Popen(command, env=environment, cwd=directory)
    try:
        wait_ready(base, server, ready_path)
        cpu_before = cpu_seconds(server.pid)
        client_before = time.process_time()
        machine_before = machine_busy_seconds()
        stats, elapsed = asyncio.run(
            run_load(base, assignments, metrics, args.duration, args.read_share)
        )
        server_cpu = cpu_seconds(server.pid) - cpu_before
        client_cpu = time.process_time() - client_before
        machine = machine_busy_seconds() - machine_before
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    result = summary(stats, elapsed, backend, args.clients, args.workers, server_cpu)
    result["client_cores_busy"] = round(client_cpu / elapsed, 2)
    result["machine_cores_busy"] = round(machine / elapsed, 2)
    return result


def describe(result: dict) -> str:
    return (
        f"{result['backend']}: {result['writes_per_s']} writes/s, {result['reads_per_s']} reads/s; "
        f"write p50 {result['write_p50_ms']} ms p99 {result['write_p99_ms']} ms; "
        f"read p50 {result['read_p50_ms']} ms p99 {result['read_p99_ms']} ms; "
        f"{result['conflicts']} conflicts, errors {result['errors'] or 'none'}; server "
        f"{result['server_cpu_ms_per_request']} ms CPU per request, "
        f"{result['server_cores_busy']} cores busy; load generator "
        f"{result['client_cores_busy']} cores busy; machine {result['machine_cores_busy']} of "
        f"{os.cpu_count()} cores busy"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes (default: one per core, as docs/api.md advises)",
    )
    parser.add_argument("--read-share", type=float, default=0.5)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a scratch database is made)")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor server run")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite ledger")
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="esgledger-load-"))
    scratch = admin = None
    if args.postgres:
        admin = sa.create_engine(
            args.postgres.replace("postgresql://", "postgresql+psycopg://", 1),
            isolation_level="AUTOCOMMIT",
        )
        scratch = f"esgledger_load_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
        url = admin.url.set(database=scratch).render_as_string(hide_password=False)
        backend = "postgresql"
    else:
        url = f"sqlite:///{directory / 'ledger.db'}"
        backend = "sqlite"
    results = []
    try:
        assignments = prepare(url, args.clients, directory)
        metrics = input_metrics(url, directory)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        address = ["--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)]
        esgledger = [str(Path(sys.executable).with_name("esgledger")), "--db", url, "serve"]
        results.append(
            measure(
                esgledger + address,
                base,
                directory,
                assignments,
                metrics,
                args,
                backend,
                f"{API}/openapi.json",
            )
        )
        if not args.no_floor:
            floor = [sys.executable, "-m", "uvicorn", "load_floor_app:app", "--app-dir"]
            floor += [str(Path(__file__).parent), "--log-level", "warning", *address]
            results.append(
                measure(
                    floor,
                    base,
                    directory,
                    assignments,
                    metrics,
                    args,
                    "floor (HTTP stack only)",
                    f"{API}/openapi-ready",
                )
            )
    finally:
        if admin is not None and scratch is not None:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            admin.dispose()
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
    for result in results:
        print(json.dumps(result))
    for result in results:
        print(describe(result))
    ours = results[0]
    if len(results) > 1:
        floor_result = results[1]
        print(
            f"esgledger / floor: writes/s x{ours['writes_per_s'] / floor_result['writes_per_s']:.2f}, "
            f"server CPU per request x"
            f"{ours['server_cpu_ms_per_request'] / floor_result['server_cpu_ms_per_request']:.1f}"
        )
    target_met = (
        ours["writes_per_s"] >= 300 and ours["write_p99_ms"] <= 200 and ours["read_p99_ms"] <= 200
    )
    print(
        "targets (>= 300 writes/s, write and read p99 <= 200 ms): "
        + ("met" if target_met else "missed")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
