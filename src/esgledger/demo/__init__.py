"""The demo: a fictitious integrated aluminium group, three years of data, computed and reported.

``esgledger demo`` builds the Jinlan Aluminium Group (``data/organisation.csv``): a group HQ, a
primary-aluminium company owning an alumina refinery in Shanxi, a smelter and its captive coal power
plant in Xinjiang, a fabrication company with rolling, foil, extrusion and recycling plants, an
international company with a refinery in Indonesia and a plant in Indiana (USA), and a 33 % joint
venture without operational control that the roll-ups leave out. The data of 2022-2024 is
generated from ``data/profile.yaml`` (see :mod:`esgledger.demo.generate`), imported through the
same importers as user files, computed, and written as the English and Chinese reports of 2024.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from esgledger.demo.disclosure import set_profile
from esgledger.demo.generate import (
    ORGANISATION_FILE,
    load_profile,
    write_data_files,
    write_side_files,
)
from esgledger.demo.governance import record_governance
from esgledger.demo.materiality import seed_materiality
from esgledger.demo.targets import add_targets
from esgledger.services import Principal, Services

GROUP = "jl"
SMELTER = "jl-xj-smelter"
REPORT_YEAR = "2024"
LANGUAGES = ("en", "zh")
HEADLINES = [  # (entity, metric, label, unit) of the summary table
    (GROUP, "ghg.scope1", "Scope 1", "tCO2e"),
    (GROUP, "ghg.scope2_location", "Scope 2, location-based", "tCO2e"),
    (GROUP, "ghg.scope2_market", "Scope 2, market-based", "tCO2e"),
    (GROUP, "ghg.scope3", "Scope 3 (categories 1, 3, 4)", "tCO2e"),
    (GROUP, "energy.total_tce", "Energy consumption", "tce"),
    (GROUP, "water.withdrawal", "Water withdrawal", "m3"),
    (GROUP, "workforce.headcount", "Employees at year end", "persons"),
    (SMELTER, "energy.electricity_per_primary_aluminium", "Smelter electricity", "kWh/t Al"),
]


SECTIONS = Path(__file__).parent / "data" / "sections"  # the report texts: <lang>/<section>.md


def import_texts(services: Services, actor: Principal) -> str:
    """Store the group's own report texts for the year, as `report sections import` does."""
    done = services.report_content.import_folder(actor, REPORT_YEAR, SECTIONS)
    return (
        f"report texts for {REPORT_YEAR}: {done['files']} sections imported (English and Chinese)"
    )


def demo_database_url(out: Path) -> str:
    """The demo's own SQLite file, removed first (with its evidence and reports) so that every
    run starts from an empty ledger."""
    path = out / "demo.db"
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-writer.lock")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(out / "demo-files", ignore_errors=True)
    return f"sqlite:///{path}"


def run_demo(
    out: Path,
    db: str | None = None,
    console: Console | None = None,
    acting: Callable[[Services], Principal] | None = None,
) -> list[Path]:
    """Build the demo ledger, compute 2022-2024 and write the 2024 reports; return their paths.

    ``db`` None: a fresh SQLite file ``out/demo.db`` (``ESGLEDGER_DATABASE_URL`` is deliberately
    not consulted, so the demo never writes into a real ledger). Otherwise ``db`` is opened like
    the CLI's ``--db`` and the demo data is imported into it. Everything is done on behalf of
    ``acting(services)`` (default: the admin account ``init`` made for the OS login).
    """
    console = console or Console()
    out.mkdir(parents=True, exist_ok=True)
    inputs = out / "inputs"
    services = (
        Services.open(demo_database_url(out), create=True)
        if db is None
        else Services.open(db, create=True)
    )
    actor: list[Principal] = []
    profile = load_profile()
    years = [str(year) for year in profile.years]
    data_files: list[Path] = []
    side_files: dict[int, dict[str, Path]] = {}
    reports: list[Path] = []

    def initialise() -> str:
        result = services.init()
        if acting is not None:
            actor.append(acting(services))
        elif result.first_admin:
            actor.append(services.accounts.principal(result.first_admin))
        else:
            actor.append(services.accounts.command_line_actor(None, _no_password))
        return (
            f"ledger ready at {services.db.url}: {result.metrics} metrics, "
            f"{result.factors} factors; acting as {actor[0].username}"
        )

    def write_inputs() -> str:
        inputs.mkdir(parents=True, exist_ok=True)
        shutil.copy(ORGANISATION_FILE, inputs / ORGANISATION_FILE.name)
        data_files.extend(write_data_files(inputs, profile))
        side_files.update(write_side_files(inputs, profile))
        return f"wrote the input files to {inputs}"

    def import_organisation() -> str:
        result = services.imports.organisation(actor[0], inputs / ORGANISATION_FILE.name)
        for key, value in profile.settings.items():
            services.settings.set(actor[0], key, value)
        return (
            f"organisation imported: {result['created']} entities created, "
            f"{result['updated']} updated"
        )

    def import_year(index: int) -> Callable[[], str]:
        def run() -> str:
            path = data_files[index]
            imported = services.imports.data(actor[0], path)
            summary = imported.written
            extra = side_files.get(int(years[index]), {})
            transfers = (
                services.imports.transfers(actor[0], extra["transfers"])
                if "transfers" in extra
                else 0
            )
            certificates = (
                services.imports.certificates(actor[0], extra["certificates"])
                if "certificates" in extra
                else 0
            )
            held = (
                f" ({len(imported.held)} kept as drafts: changed more than the threshold "
                "against last year, to be explained)"
                if imported.held
                else ""
            )
            return (
                f"imported {path.name}: {summary.created} new, {summary.corrected} corrected, "
                f"{summary.unchanged} unchanged{held}; {transfers} internal transfers, "
                f"{certificates} certificates"
            )

        return run

    def calc_year(year: str) -> Callable[[], str]:
        def run() -> str:
            done = services.calculation.run(actor[0], year)
            if profile.base_year is not None and year == str(profile.base_year):
                services.settings.set(actor[0], "base_year", year)
            return f"calculated {done.values} values for {year} (run {done.run_id})"

        return run

    def report(lang: str) -> Callable[[], str]:
        def run() -> str:
            services.reports.build(actor[0], REPORT_YEAR, lang)
            _record, built = services.reports.download(actor[0], REPORT_YEAR, lang)
            path = out / built.name
            shutil.copyfile(built, path)
            reports.append(path)
            return f"{lang} report for {REPORT_YEAR}: {path}"

        return run

    def full_report() -> str:
        # against the frameworks the step before chose (esgledger.demo.disclosure)
        built = services.report_content.build(actor[0], REPORT_YEAR, out)
        reports.extend(Path(f["path"]) for f in built["files"])
        return f"full report for {REPORT_YEAR}: {len(built['files'])} files (HTML and PDF, en, zh)"

    steps: list[tuple[str, Callable[[], str]]] = [
        ("Creating the ledger", initialise),
        ("Writing the demo input files", write_inputs),
        ("Importing the organisation", import_organisation),
        ("Recording governance and policies", lambda: record_governance(services, actor[0])),
        *[(f"Importing {year} data", import_year(i)) for i, year in enumerate(years)],
        *[(f"Calculating {year}", calc_year(year)) for year in years],
        ("Setting the group's targets", lambda: add_targets(services, actor[0])),
        *[(f"Writing the {lang} report", report(lang)) for lang in LANGUAGES],
        ("Assessing materiality", lambda: seed_materiality(services, actor[0], inputs)),
        ("Writing the report texts", lambda: import_texts(services, actor[0])),
        ("Choosing the report's frameworks", lambda: set_profile(services, actor[0])),
        ("Writing the full report", full_report),
    ]
    try:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("demo", total=len(steps))
            for description, action in steps:
                progress.update(task, description=description)
                message = action()
                progress.console.print(f"[green]✓[/green] {message}", highlight=False)
                progress.advance(task)
        console.print(_summary(services, actor[0], years))
        at = f"esgledger --db {_db_argument(services, db)}"
        for line in (
            f"Explore it: {at} explain ghg.scope2_location --entity {GROUP} --period {REPORT_YEAR}",
            f"Check it:   {at} check --period {REPORT_YEAR}   (quality checks; --lang zh)",
            f"Assure it:  {at} assurance --period {REPORT_YEAR} -o assurance-{REPORT_YEAR}.zip",
            f"Open it:    {at} serve   (then add a user: {at} user add NAME --role esg_manager)",
        ):
            console.print(line, highlight=False, soft_wrap=True)
    finally:
        services.dispose()
    return reports


def _no_password(username: str) -> str:
    raise PermissionError(f"the demo acts as {username} without a password: run it as that OS user")


def _db_argument(services: Services, db: str | None) -> str:
    if db is not None:
        return db
    return services.db.engine.url.database or "demo.db"


def _summary(services: Services, actor: Principal, years: list[str]) -> Table:
    values = {
        year: {
            (v["entity"], v["metric"]): (v["value"], v["unit"])
            for v in services.calculation.values(actor, year)
        }
        for year in years
    }
    table = Table(title="Jinlan Aluminium Group (demo): headline figures")
    table.add_column("")
    table.add_column("unit")
    for year in years:
        table.add_column(year, justify="right")
    for entity_id, metric_id, label, unit in HEADLINES:
        cells = []
        for year in years:
            found = values[year].get((entity_id, metric_id))
            cells.append(f"{found[0]:,.0f}" if found else "-")
        table.add_row(label, unit, *cells)
    return table
