"""Import the organisation tree from CSV or XLSX (columns id, name, parent, country ...)."""

from __future__ import annotations

from esgledger.domain import CELL_TECHNOLOGIES, ENTITY_TYPES, Entity
from esgledger.errors import InputIssue, InputRejected
from esgledger.factors.regions import canonical_grid_region, region_keys
from esgledger.free_text import text_problem
from esgledger.identifiers import ENTITY_ID_RULE, is_entity_id
from esgledger.ingest.tables import Table, check_columns
from esgledger.ingest.values import parse_bool, parse_date, parse_number
from esgledger.ledger.change import Change
from esgledger.ledger.reads import load_entities
from esgledger.ledger.writes import save_entities

REQUIRED = ["id", "name", "parent", "country"]
OPTIONAL = [
    "name_zh",
    "type",
    "grid_region",
    "ownership",
    "operational_control",
    "financial_control",
    "cell_technology",
    "valid_from",
    "valid_to",
    "aliases",
]


def parse_organisation(table: Table, known: list[Entity]) -> list[Entity]:
    """Validate every row; raise :class:`InputRejected` listing all problems."""
    issues = check_columns(table, REQUIRED, OPTIONAL)
    if issues:
        raise InputRejected(issues)
    name = str(table.path)
    parsed: list[Entity] = []
    seen: dict[str, int] = {}
    for row_number, row in table:

        def issue(field: str, found: str, expected: str, rn: int = row_number) -> None:
            issues.append(InputIssue(name, rn, field, found, expected, table.cell(rn, field)))

        entity_id = row.get("id", "")
        for field in ("id", "name", "country"):
            if not row.get(field):
                issue(field, "an empty cell", "a value")
        if entity_id and not is_entity_id(entity_id):
            issue("id", entity_id, f"an id of {ENTITY_ID_RULE}")
        if entity_id in seen:
            issue("id", entity_id, f"a unique id (already used on row {seen[entity_id]})")
        for field in ("name", "name_zh"):
            problem = text_problem(row.get(field, ""), field)
            if problem is not None:
                issue(field, row[field], f"{problem.expected} (found {problem.found})")
        seen[entity_id] = row_number
        country = row.get("country", "").upper()
        if country and (len(country) != 2 or not country.isalpha()):
            issue("country", row["country"], "a two-letter ISO 3166 country code such as CN")
        entity_type = row.get("type") or "company"
        if entity_type not in ENTITY_TYPES:
            issue("type", entity_type, "one of " + ", ".join(ENTITY_TYPES))
        ownership = 1.0
        if row.get("ownership"):
            number = parse_number(row["ownership"].rstrip("%"))
            if number is None:
                issue("ownership", row["ownership"], "a share between 0 and 1, or a percentage")
            else:
                ownership = number / 100 if row["ownership"].endswith("%") or number > 1 else number
                if not 0 <= ownership <= 1:
                    issue("ownership", row["ownership"], "a share between 0 and 1 (or 0-100%)")
        controls = {}
        for field in ("operational_control", "financial_control"):
            controls[field] = True
            if row.get(field):
                flag = parse_bool(row[field])
                if flag is None:
                    issue(field, row[field], "true or false")
                controls[field] = bool(flag)
        cell_technology = (row.get("cell_technology") or "").lower() or None
        if cell_technology and cell_technology not in CELL_TECHNOLOGIES:
            issue(
                "cell_technology",
                row["cell_technology"],
                "one of " + ", ".join(CELL_TECHNOLOGIES) + " (IPCC 2006 cell types)",
            )
        dates = {}
        for field in ("valid_from", "valid_to"):
            dates[field] = parse_date(row[field]) if row.get(field) else None
            if row.get(field) and dates[field] is None:
                issue(field, row[field], "a date as YYYY-MM-DD")
        if dates["valid_from"] and dates["valid_to"] and dates["valid_to"] < dates["valid_from"]:
            issue("valid_to", row["valid_to"], "a date on or after valid_from")
        grid_region = row.get("grid_region") or None
        if grid_region and country:
            canonical = canonical_grid_region(country, grid_region)
            if canonical is None:
                issue(
                    "grid_region",
                    grid_region,
                    f"a grid region of {country}: " + ", ".join(region_keys(country)),
                )
            grid_region = canonical
        aliases = tuple(
            dict.fromkeys(a.strip() for a in row.get("aliases", "").split(";") if a.strip())
        )
        for alias in aliases:
            problem = text_problem(alias, "alias")
            if problem is not None:
                issue("aliases", alias, f"an alias of {problem.expected} (found {problem.found})")
        parsed.append(
            Entity(
                id=entity_id,
                name=row.get("name", ""),
                name_zh=row.get("name_zh") or None,
                parent_id=row.get("parent") or None,
                country=country,
                type=entity_type,
                grid_region=grid_region,
                ownership=ownership,
                operational_control=controls["operational_control"],
                financial_control=controls["financial_control"],
                cell_technology=cell_technology,
                valid_from=dates["valid_from"],
                valid_to=dates["valid_to"],
                aliases=aliases,
            )
        )
    known_ids = {e.id for e in known} | {e.id for e in parsed}
    # An alias names one entity: not twice in the file, not an alias an entity outside the file keeps,
    # not another entity's id (the alias table's key would refuse it, or the id would shadow it).
    alias_owner = {a: e.id for e in known if e.id not in seen for a in e.aliases}
    for entity in parsed:
        row_number = seen[entity.id]
        for alias in entity.aliases:
            owner = alias_owner.setdefault(alias, entity.id)
            clash = (
                f"an alias of {owner}"
                if owner != entity.id
                else "the id of another entity"
                if alias in known_ids and alias != entity.id
                else None
            )
            if clash:
                issues.append(
                    InputIssue(
                        name,
                        row_number,
                        "aliases",
                        alias,
                        f"an alias that names no other entity (it is {clash})",
                        table.cell(row_number, "aliases"),
                    )
                )
    parents = {e.id: e.parent_id for e in known}
    parents.update({e.id: e.parent_id for e in parsed})
    for entity in parsed:
        row_number = seen[entity.id]
        if entity.parent_id and entity.parent_id not in known_ids:
            issues.append(
                InputIssue(
                    name,
                    row_number,
                    "parent",
                    entity.parent_id,
                    "the id of an entity in this file or already in the ledger",
                    table.cell(row_number, "parent"),
                )
            )
        elif _in_cycle(entity.id, parents):
            issues.append(
                InputIssue(
                    name,
                    row_number,
                    "parent",
                    entity.parent_id or "",
                    "a parent that is not the entity itself or its descendant",
                    table.cell(row_number, "parent"),
                )
            )
    if issues:
        raise InputRejected(issues)
    return parsed


def _in_cycle(start: str, parents: dict[str, str | None]) -> bool:
    """Whether ``start`` is its own ancestor (not merely below a cycle of other entities)."""
    seen = {start}
    current = parents.get(start)
    while current is not None:
        if current == start:
            return True
        if current in seen:
            return False
        seen.add(current)
        current = parents.get(current)
    return False


def import_organisation(change: Change, table: Table) -> dict[str, int]:
    """Validate the table against the organisation under the change's head, then write it."""
    entities = parse_organisation(table, load_entities(change.connection))
    return save_entities(change, entities)
