"""The staging layer's YAML agrees with the export registry and keeps its own rules (no dbt run needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ccw.exports import ENTITIES, LANDING_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
STAGING = ROOT / "models" / "staging"
SYSTEMS = ("telephony", "helpdesk", "chat", "survey", "workforce", "crm")
#: Column names that would carry PII in clear text; staging outputs only hashes and harmless derivations.
CLEAR_PII_COLUMNS = {"name", "full_name", "email", "phone", "customer_address", "address", "body", "subject"}


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _sources() -> dict[tuple[str, str], dict]:
    """(source name, identifier) -> table entry, from every staging sources file."""
    found: dict[tuple[str, str], dict] = {}
    for path in sorted(STAGING.glob("*/_*__sources.yml")):
        for source in _load(path)["sources"]:
            for table in source["tables"]:
                found[(source["name"], table.get("identifier", table["name"]))] = {**table, "_source": source}
    return found


def _models() -> dict[str, dict]:
    found: dict[str, dict] = {}
    for path in sorted(STAGING.glob("*/*.yml")):
        for model in _load(path).get("models", []):
            found[model["name"]] = model
    return found


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.table)
def test_every_raw_table_is_a_documented_source(entity) -> None:
    table = _sources().get((entity.system, entity.table))
    assert table is not None, f"no source {entity.system} with identifier {entity.table}"
    assert table["_source"]["schema"] == "raw"
    columns = [c["name"] for c in table["columns"]]
    assert columns == [*entity.raw_columns, *LANDING_COLUMNS]
    assert all(c.get("description") for c in table["columns"])
    config = table["_source"]["config"]
    assert config["loaded_at_field"] == "_landed_at"
    assert {"warn_after", "error_after"} <= set(config["freshness"])


def test_landing_bookkeeping_tables_are_sources() -> None:
    sources = _sources()
    assert ("landing", "_landing_manifest") in sources
    assert ("landing", "_quarantine") in sources


def test_one_staging_model_per_raw_table_and_every_model_documented() -> None:
    sql_models = {p.stem for p in STAGING.glob("*/stg_*.sql")}
    models = _models()
    assert sql_models == set(models), "every staging SQL file needs its YAML entry, and vice versa"
    systems = {name.split("__")[0].removeprefix("stg_") for name in sql_models}
    assert systems == {*SYSTEMS, "landing"}
    per_system = {s: sum(1 for e in ENTITIES if e.system == s) for s in SYSTEMS}
    for system, count in per_system.items():
        assert len([m for m in sql_models if m.startswith(f"stg_{system}__")]) == count, system
    for name, model in models.items():
        assert model.get("description"), name
        assert model.get("columns"), name
        for column in model["columns"]:
            assert column.get("description"), f"{name}.{column['name']}"


def test_no_staging_column_carries_clear_pii() -> None:
    for name, model in _models().items():
        leaked = {c["name"] for c in model["columns"]} & CLEAR_PII_COLUMNS
        assert not leaked, f"{name} exposes {leaked}"


def test_dedupe_models_count_merged_versions() -> None:
    for name, model in _models().items():
        if name.startswith("stg_landing__"):
            continue
        columns = {c["name"] for c in model["columns"]}
        assert {"versions_merged", "_source_file", "_export_date", "_landed_at"} <= columns, name


def test_only_staging_models_call_source() -> None:
    call = re.compile(r"\{\{-?\s*source\(")
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "models").rglob("*.sql")
        if STAGING not in p.parents and call.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_staging_models_have_unit_tests_for_the_tricky_rules() -> None:
    tested = set()
    for path in STAGING.glob("*/*.yml"):
        tested |= {t["model"] for t in _load(path).get("unit_tests", [])}
    must = {
        "stg_telephony__contact_records",
        "stg_helpdesk__tickets",
        "stg_helpdesk__users",
        "stg_chat__sessions",
        "stg_survey__responses",
        "stg_workforce__schedules",
        "stg_crm__customers",
    }
    assert must <= tested
