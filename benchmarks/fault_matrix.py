"""Fault matrix: ``kill -9`` during a CLI import, during a CLI calculation, and of the server under
concurrent API writers, on SQLite and PostgreSQL; then verify, recompute and count the
acknowledged writes that survived.

    .venv/bin/python benchmarks/fault_matrix.py [--backends sqlite postgresql]
        [--postgres URL] [--imports 4] [--calcs 4] [--server-kills 6] [--clients 50]
        [--entities 60] [--seed 1] [--keep]

For each backend, on a fresh ledger (a temporary SQLite file, or a scratch database on the
PostgreSQL server of ``--postgres``, default the local one):

1. set-up: a generated group (``bench_foundation``'s tree, ``--entities`` entities), one data
   owner per ten API clients, a year of data imported and calculated, and an anchor of the
   chain head written to a file (``esgledger audit anchor``);
2. imports: ``esgledger data import`` of a new year of data (a new file each time) run once to
   completion to learn how long it takes, then ``--imports`` times killed (SIGKILL, the whole
   process group) at a random moment of that span. An import that finished before the kill was
   acknowledged and must be there in full; one that was killed must have left nothing of its
   year (imports are all or nothing);
3. calculations: ``esgledger calc`` of the set-up year, timed once, then killed ``--calcs``
   times at a random moment; after each kill ``audit verify`` and ``recompute`` must pass;
4. server: ``esgledger serve`` (two workers) under ``--clients`` API clients entering and
   correcting values (POST and PATCH, as ``bench_api_load.py``), killed ``--server-kills`` times
   at random moments and restarted each time while the clients keep going. Every answer 200/201
   is an acknowledged write (row id, version, value); every one must be in the ledger afterwards;
5. at the end: ``audit verify --anchor`` (the chain still extends the set-up anchor) and
   ``recompute`` of the calculated year.

Prints, per backend and kind, the faults injected, writes acknowledged, writes lost, partial
imports and the verify and recompute results, then one JSON line per backend. Exits 1 if a write
was lost, an import was partial or a check failed. Not part of the test suite (it takes a few
minutes per backend); run it on demand.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import sqlalchemy as sa
from admin_ledger import create_ledger
from bench_api_load import API, call, free_port, input_metrics, wait_ready
from bench_foundation import DATA_HEADER, ORG_HEADER, build_data, build_group, scratch_postgres
from bench_foundation import write_csv as write_table

PASSWORD = "Fault-matrix passphrase 2026!"
SET_UP_YEAR = 2024
ESGLEDGER = str(Path(sys.executable).with_name("esgledger"))


@dataclass
class Outcome:
    """What one kind of fault did on one backend."""

    kind: str
    faults: int = 0
    acknowledged: int = 0
    lost: int = 0
    partial: int = 0
    checks_failed: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.lost == 0 and self.partial == 0 and not self.checks_failed


@dataclass
class Target:
    """The ledger under test: where it is and how to run the CLI on it."""

    url: str
    directory: Path
    plants: list[tuple[str, str]]
    companies: list[str]

    @property
    def environment(self) -> dict[str, str]:
        environment = {**os.environ, "ESGLEDGER_FILES_DIR": str(self.directory / "files")}
        environment.pop("ESGLEDGER_DATABASE_URL", None)
        environment.pop("ESGLEDGER_USER", None)
        return environment

    def command(self, *arguments: str) -> list[str]:
        return [ESGLEDGER, "--db", self.url, *arguments]

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*arguments),
            env=self.environment,
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def start(self, *arguments: str) -> subprocess.Popen[str]:
        """A CLI process in a session of its own, so that a kill reaches its children too."""
        with (self.directory / "processes.log").open("a") as log:
            return subprocess.Popen(
                self.command(*arguments),
                env=self.environment,
                cwd=self.directory,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )

    def check(self, outcome: Outcome, label: str, *arguments: str) -> None:
        """Run a CLI check; record its failure (with its last output line) in ``outcome``."""
        result = self.run(*arguments)
        if result.returncode != 0:
            said = (result.stdout + result.stderr).strip().splitlines()
            outcome.checks_failed.append(f"{label}: exit {result.returncode}: {said[-1:]}")

    def scalar(self, statement: str, **parameters: object) -> int:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as connection:
                return int(connection.execute(sa.text(statement), parameters).scalar_one())
        finally:
            engine.dispose()


def kill_group(process: subprocess.Popen[str]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def kill_at_random(process: subprocess.Popen[str], span: float, rng: random.Random) -> bool:
    """Kill ``process`` at a random moment of ``span`` seconds; True if it had already exited
    successfully (its work was acknowledged)."""
    deadline = time.monotonic() + rng.uniform(0.05, 0.95) * span
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return process.returncode == 0
        time.sleep(0.01)
    if process.poll() is not None:
        return process.returncode == 0
    kill_group(process)
    return False


# -- set-up ------------------------------------------------------------------------------------


def set_up(url: str, directory: Path, entities: int, clients: int, seed: int) -> Target:
    rng = random.Random(seed)
    organisation, plants = build_group(entities, rng)
    companies = [row[0] for row in organisation if row[5] == "company"]
    admin = create_ledger(url, directory / "files")
    admin.import_organisation(write_table(directory / "org.csv", ORG_HEADER, organisation))
    data = build_data(plants, companies, [SET_UP_YEAR], rng)
    admin.import_data(write_table(directory / "data.csv", DATA_HEADER, data))
    admin.calc(str(SET_UP_YEAR))
    for n in range(max(1, clients // 10)):
        plant = plants[n][0]
        admin.services.accounts.create(admin.admin, f"owner{n}", PASSWORD, "data_owner", [plant])
    admin.db.dispose()
    return Target(url, directory, plants, companies)


# -- imports and calculations ----------------------------------------------------------------


def year_rows(ledger: Target, year: int) -> int:
    return ledger.scalar(
        "SELECT count(*) FROM datapoints WHERE is_current AND period LIKE :year",
        year=f"{year}%",
    )


def import_faults(ledger: Target, kills: int, rng: random.Random) -> Outcome:
    outcome = Outcome("kill -9 during data import (CLI)")

    def new_file(year: int) -> tuple[Path, int]:
        rows = build_data(ledger.plants, ledger.companies, [year], random.Random(year))
        return write_table(ledger.directory / f"data-{year}.csv", DATA_HEADER, rows), len(rows)

    year = 2000
    path, expected = new_file(year)
    started = time.monotonic()
    done = ledger.run("data", "import", str(path))
    span = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"the timing import failed: {done.stdout}{done.stderr}")
    outcome.acknowledged += expected
    outcome.lost += expected - year_rows(ledger, year)
    for _ in range(kills):
        year += 1
        path, expected = new_file(year)
        finished = kill_at_random(ledger.start("data", "import", str(path)), span, rng)
        found = year_rows(ledger, year)
        if finished:
            outcome.acknowledged += expected
            outcome.lost += expected - found
        else:
            outcome.faults += 1
            if found not in (0, expected):
                outcome.partial += 1
        ledger.check(outcome, f"audit verify after import {year}", "audit", "verify")
    return outcome


def calc_faults(ledger: Target, kills: int, rng: random.Random) -> Outcome:
    outcome = Outcome("kill -9 during calc (CLI)")
    period = str(SET_UP_YEAR)
    started = time.monotonic()
    done = ledger.run("calc", "--period", period)
    span = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"the timing calculation failed: {done.stdout}{done.stderr}")
    runs_before = ledger.scalar("SELECT count(*) FROM calc_runs")
    acknowledged_runs = 0
    for n in range(kills):
        if kill_at_random(ledger.start("calc", "--period", period), span, rng):
            acknowledged_runs += 1
        else:
            outcome.faults += 1
        ledger.check(outcome, f"audit verify after calc {n + 1}", "audit", "verify")
        ledger.check(outcome, f"recompute after calc {n + 1}", "recompute", "--period", period)
    runs_after = ledger.scalar("SELECT count(*) FROM calc_runs")
    outcome.acknowledged = acknowledged_runs
    outcome.lost = max(0, acknowledged_runs - (runs_after - runs_before))
    return outcome


# -- the server under API writers --------------------------------------------------------------


@dataclass
class Acknowledged:
    row_id: int
    version: int
    value: float


@dataclass
class WriterState:
    acknowledged: list[Acknowledged] = field(default_factory=list)
    refused: dict[int, int] = field(default_factory=dict)  # status -> count (not acknowledged)
    unanswered: int = 0  # connection dropped or timed out (the server was killed)


async def writer(
    number: int,
    entity: str,
    token: str,
    base: str,
    metrics: list[tuple[str, str]],
    stop: asyncio.Event,
    state: WriterState,
) -> None:
    rng = random.Random(number)
    period = str(1950 + number)  # each client its own period: no two create the same key
    held: list[dict[str, int]] = []
    untried = list(metrics)
    async with aiohttp.ClientSession(
        base_url=base,
        headers={"Authorization": f"Bearer {token}"},
        timeout=aiohttp.ClientTimeout(total=15),
    ) as http:
        while not stop.is_set():
            value = round(rng.uniform(0.9, 1.1), 6)
            target: dict[str, int] | None = None
            if untried:
                metric, unit = untried.pop(0)
                body = {"entity": entity, "period": period, "metric": metric}
                body |= {"value": value, "unit": unit}
                request = ("POST", "/datapoints", body)
            elif held:
                target = rng.choice(held)
                body = {"version": target["version"], "value": value}
                request = ("PATCH", f"/datapoints/{target['id']}", body)
            else:
                return
            try:
                answer = await call(http, *request)
            except (TimeoutError, aiohttp.ClientError):
                state.unanswered += 1
                await asyncio.sleep(0.2)  # the server is down: try again shortly
                continue
            if answer.status in (200, 201) and answer.body is not None:
                point = {"id": answer.body["id"], "version": answer.body["version"]}
                state.acknowledged.append(Acknowledged(point["id"], point["version"], value))
                if target is None:
                    held.append(point)
                else:
                    target.update(point)
                continue
            state.refused[answer.status] = state.refused.get(answer.status, 0) + 1
            if answer.status == 409 and target is not None and answer.body is not None:
                current = answer.body["error"]["details"]["current"]
                target.update(id=current["id"], version=current["version"])
            elif answer.status >= 500:
                await asyncio.sleep(0.2)


class Server:
    def __init__(self, ledger: Target, port: int):
        self.ledger = ledger
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        address = ["--host", "127.0.0.1", "--port", str(self.port), "--workers", "2"]
        self.process = self.ledger.start("serve", *address)
        wait_ready(self.base, self.process, f"{API}/openapi.json")

    def kill(self) -> None:
        if self.process is not None:
            kill_group(self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                kill_group(self.process)


async def server_faults_async(
    ledger: Target, server: Server, clients: int, kills: int, rng: random.Random
) -> tuple[WriterState, int]:
    owners = max(1, clients // 10)
    tokens = {}
    async with aiohttp.ClientSession(base_url=server.base) as http:
        for n in range(owners):
            body = {"username": f"owner{n}", "password": PASSWORD}
            answer = await call(http, "POST", "/auth/token", body)
            if answer.status != 200 or answer.body is None:
                raise SystemExit(f"sign-in of owner{n} failed: {answer.text[:200]}")
            tokens[n] = answer.body["access_token"]
    metrics = input_metrics(ledger.url, ledger.directory, ledger.plants[0][0])
    state, stop = WriterState(), asyncio.Event()
    tasks = [
        asyncio.create_task(
            writer(
                n,
                ledger.plants[n % owners][0],
                tokens[n % owners],
                server.base,
                metrics,
                stop,
                state,
            )
        )
        for n in range(clients)
    ]
    injected = 0
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(1.5, 4.0))
        await asyncio.to_thread(server.kill)
        injected += 1
        await asyncio.sleep(rng.uniform(0.0, 0.5))
        await asyncio.to_thread(server.start)
    await asyncio.sleep(2.0)
    stop.set()
    await asyncio.gather(*tasks)
    return state, injected


def server_faults(ledger: Target, clients: int, kills: int, rng: random.Random) -> Outcome:
    outcome = Outcome(f"kill -9 of the server under {clients} API writers")
    server = Server(ledger, free_port())
    server.start()
    try:
        state, outcome.faults = asyncio.run(
            server_faults_async(ledger, server, clients, kills, rng)
        )
    finally:
        server.stop()
    outcome.acknowledged = len(state.acknowledged)
    outcome.lost = len(missing_writes(ledger, state.acknowledged))
    print(
        f"  API writers: {outcome.acknowledged:,} acknowledged, {state.unanswered:,} unanswered "
        f"while the server was down, refused {state.refused or 'none'}"
    )
    return outcome


def missing_writes(ledger: Target, acknowledged: list[Acknowledged]) -> list[Acknowledged]:
    """The acknowledged writes whose row (id, version, value) is not in the ledger."""
    engine = sa.create_engine(ledger.url)
    stored: dict[int, tuple[int, float]] = {}
    try:
        with engine.connect() as connection:
            ids = [write.row_id for write in acknowledged]
            for start in range(0, len(ids), 1000):
                rows = connection.execute(
                    sa.text(
                        "SELECT id, version, value FROM datapoints WHERE id IN :ids"
                    ).bindparams(sa.bindparam("ids", expanding=True)),
                    {"ids": ids[start : start + 1000]},
                )
                stored.update({row.id: (row.version, row.value) for row in rows})
    finally:
        engine.dispose()
    return [
        write
        for write in acknowledged
        if write.row_id not in stored
        or stored[write.row_id][0] != write.version
        or not math.isclose(stored[write.row_id][1], write.value, rel_tol=1e-9)
    ]


# -- the matrix --------------------------------------------------------------------------------


def run_backend(backend: str, url: str, directory: Path, args: argparse.Namespace) -> list[Outcome]:
    print(f"== {backend}: setting up {args.entities} entities")
    ledger = set_up(url, directory, args.entities, args.clients, args.seed)
    anchor = directory / "anchor.json"
    done = ledger.run("audit", "anchor", "-o", str(anchor))
    if done.returncode != 0:
        raise SystemExit(f"audit anchor failed: {done.stdout}{done.stderr}")
    rng = random.Random(args.seed)
    outcomes = []
    print(f"== {backend}: {args.imports} kills during imports")
    outcomes.append(import_faults(ledger, args.imports, rng))
    print(f"== {backend}: {args.calcs} kills during calculations")
    outcomes.append(calc_faults(ledger, args.calcs, rng))
    print(f"== {backend}: {args.server_kills} kills of the server under {args.clients} writers")
    outcomes.append(server_faults(ledger, args.clients, args.server_kills, rng))
    final = Outcome("after all faults")
    ledger.check(final, "audit verify --anchor", "audit", "verify", "--anchor", str(anchor))
    ledger.check(final, "recompute", "recompute", "--period", str(SET_UP_YEAR))
    outcomes.append(final)
    return outcomes


def print_outcomes(backend: str, outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        checks = "; ".join(outcome.checks_failed) or "verify and recompute passed"
        print(
            f"{backend:10} {outcome.kind:48} faults {outcome.faults:3}  acknowledged "
            f"{outcome.acknowledged:7,}  lost {outcome.lost}  partial {outcome.partial}  {checks}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--imports", type=int, default=4)
    parser.add_argument("--calcs", type=int, default=4)
    parser.add_argument("--server-kills", type=int, default=6)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--entities", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite ledger and files")
    args = parser.parse_args()
    started = time.monotonic()
    failed = False
    for backend in args.backends:
        directory = Path(tempfile.mkdtemp(prefix=f"esgledger-faults-{backend}-"))
        with ExitStack() as stack:
            if backend == "postgresql":
                url = stack.enter_context(scratch_postgres(args.postgres))
            else:
                url = f"sqlite:///{directory / 'ledger.db'}"
            outcomes = run_backend(backend, url, directory, args)
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
        print_outcomes(backend, outcomes)
        summary = {
            "backend": backend,
            "faults": sum(o.faults for o in outcomes),
            "acknowledged": sum(o.acknowledged for o in outcomes),
            "lost": sum(o.lost for o in outcomes),
            "partial_imports": sum(o.partial for o in outcomes),
            "checks_failed": [c for o in outcomes for c in o.checks_failed],
        }
        print(json.dumps(summary))
        failed |= not all(o.passed for o in outcomes)
    print(f"fault matrix: {'FAILED' if failed else 'passed'} in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
