"""`dbt build --select staging` on a scratch warehouse: empty raw tables, then the hand-made dirty rows."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml

from ccw.build import build_folder_env, reuse_project_parse
from ccw.exports import GENERATED as ENTITIES
from conftest import NO_JSON_ARTIFACTS
from staging_fixture import prepare

ROOT = Path(__file__).resolve().parents[2]
STAGING = ROOT / "models" / "staging"
#: dbt started in the build database's folder, as the Dagster dbt step runs it (ccw.build.build_folder_env)
DBT = Path(sys.executable).with_name("ccw-dbt")

#: staging model of each raw table (plural entity names, ticket_field_history stays collective)
MODEL_OF_TABLE = {
    "telephony__contact_records": "stg_telephony__contact_records",
    "telephony__agent_events": "stg_telephony__agent_events",
    "helpdesk__ticket": "stg_helpdesk__tickets",
    "helpdesk__ticket_comment": "stg_helpdesk__ticket_comments",
    "helpdesk__ticket_field_history": "stg_helpdesk__ticket_field_history",
    "helpdesk__user": "stg_helpdesk__users",
    "helpdesk__group": "stg_helpdesk__groups",
    "chat__sessions": "stg_chat__sessions",
    "survey__responses": "stg_survey__responses",
    "workforce__agents": "stg_workforce__agents",
    "workforce__schedules": "stg_workforce__schedules",
    "crm__customers": "stg_crm__customers",
    "crm__orders": "stg_crm__orders",
}
#: clear-text PII of the sample rows (any spelling) that must not appear in any staging value
CLEAR_PII = ("@example.com", "@ccw.example", "1234 5678", "12345678", "7700 900123", "Li Wei", "李娜", "王伟")


def build_staging(tmp: Path, command: str = "build") -> subprocess.CompletedProcess[str]:
    reuse_project_parse(tmp / "target")
    env = {
        **os.environ,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **build_folder_env(tmp / "warehouse.duckdb"),  # CCW_BUILD_WAREHOUSE among them
        **NO_JSON_ARTIFACTS,
    }
    env.pop("CCW_PII_SALT", None)
    # cautious: leave out tests that also read later layers (e.g. reconciliations of intermediate models),
    # which cannot pass on a warehouse holding only the staging views
    args = [
        str(DBT), command, "--select", "staging", *(["--indirect-selection", "cautious"] if command == "build" else []),
        "--project-dir", str(ROOT), "--profiles-dir", str(ROOT),
        "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs"),
    ]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def documented_columns() -> dict[str, list[str]]:
    found = {}
    for path in STAGING.glob("*/*.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            found[model["name"]] = [c["name"] for c in model["columns"]]
    return found


@dataclass(frozen=True)
class EmptyBuild:
    result: subprocess.CompletedProcess[str]
    counts: dict[str, int]


@pytest.fixture(scope="module")
def staging_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build file and dbt target for the module: the second dbt call re-uses the first one's parse."""
    return tmp_path_factory.mktemp("staging_sample")


@pytest.fixture(scope="module")
def empty_build(staging_dir: Path) -> EmptyBuild:
    """`dbt run` of staging on empty raw tables (a first day with nothing landed), and the rows it made."""
    prepare(staging_dir / "warehouse.duckdb", with_rows=False)
    result = build_staging(staging_dir, command="run")
    counts = {}
    if result.returncode == 0:
        with duckdb.connect(str(staging_dir / "warehouse.duckdb"), read_only=True) as con:
            counts = {m: con.execute(f"select count(*) from staging.{m}").fetchone()[0] for m in documented_columns()}
    return EmptyBuild(result, counts)


@pytest.fixture(scope="module")
def sample_warehouse(staging_dir: Path, empty_build: EmptyBuild) -> Path:
    prepare(staging_dir / "warehouse.duckdb", with_rows=True)
    result = build_staging(staging_dir)
    assert result.returncode == 0, result.stdout[-5000:]
    return staging_dir / "warehouse.duckdb"


@pytest.mark.slow
def test_build_passes_on_empty_raw_tables(empty_build: EmptyBuild) -> None:
    # `dbt run`: every model compiles and answers on empty raw tables (their data tests would pass vacuously)
    assert empty_build.result.returncode == 0, empty_build.result.stdout[-5000:]
    assert empty_build.counts == dict.fromkeys(documented_columns(), 0)


@pytest.mark.slow
def test_views_have_exactly_the_documented_columns(sample_warehouse: Path) -> None:
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        for model, columns in documented_columns().items():
            actual = [r[0] for r in con.execute(f"describe staging.{model}").fetchall()]
            assert actual == columns, model


@pytest.mark.slow
def test_no_clear_pii_value_leaves_staging(sample_warehouse: Path) -> None:
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        raw_hits = con.execute(
            "select count(*) from raw.helpdesk__user where email like '%@example.com%' or phone like '%1234 5678%'"
        ).fetchone()
        assert raw_hits[0] > 0, "the sample must contain clear PII for this test to mean anything"
        for model in documented_columns():
            text_columns = [
                r[0] for r in con.execute(f"describe staging.{model}").fetchall() if r[1] == "VARCHAR"
            ]
            if not text_columns:
                continue
            # one scan per model: every text value of a row joined, then each needle searched in it
            joined = " || '\x1f' || ".join(f"coalesce({column}, '')" for column in text_columns)
            counts = ", ".join(f"count(*) filter (where row_text like ?) as hit_{i}" for i in range(len(CLEAR_PII)))
            found = con.execute(
                f"select {counts} from (select {joined} as row_text from staging.{model})",
                [f"%{needle}%" for needle in CLEAR_PII],
            ).fetchone()
            assert found == (0,) * len(CLEAR_PII), f"{model} contains {dict(zip(CLEAR_PII, found, strict=True))}"


@pytest.mark.slow
def test_every_raw_row_is_accounted_for(sample_warehouse: Path) -> None:
    """Reconciliation: the surviving rows' versions_merged add up to the raw rows (the sample has no keyless rows).

    Schedules are the exception by design: an older export's activities of a re-planned agent-date are
    superseded, so there the sum is the raw rows minus those superseded. Hand-counted: the 2025-10-02
    export re-plans A-1's 2025-10-02, superseding the 2025-10-01 export's 09:00 shift and 12:00 lunch (2 rows).
    """
    superseded = {"workforce__schedules": 2}
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        for entity in ENTITIES:
            model = MODEL_OF_TABLE[entity.table]
            raw_rows = con.execute(f'select count(*) from raw."{entity.table}"').fetchone()[0]
            merged = con.execute(f"select coalesce(sum(versions_merged), 0) from staging.{model}").fetchone()[0]
            assert raw_rows > 0, entity.table
            assert merged == raw_rows - superseded.get(entity.table, 0), entity.table


@pytest.mark.slow
def test_sample_dirt_is_flagged_not_dropped(sample_warehouse: Path) -> None:
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        def one(sql: str) -> tuple:
            return con.execute(sql).fetchone()

        # six distinct call legs in the sample, C-001 sent three times
        assert one("select count(*), max(versions_merged) from staging.stg_telephony__contact_records") == (6, 3)
        assert one(
            "select count(*) from staging.stg_telephony__contact_records where is_test_account"
        ) == (1,)
        # four CN spellings of +86 138 1234 5678 -> one hash over C-001..C-004
        assert one(
            "select count(distinct customer_phone_hash) from staging.stg_telephony__contact_records "
            "where contact_id in ('C-001', 'C-002', 'C-003', 'C-004')"
        ) == (1,)
        assert one(
            "select has_invalid_duration, agent_interaction_seconds from staging.stg_telephony__contact_records "
            "where contact_id = 'C-002'"
        ) == (True, None)
        assert one(
            "select has_invalid_timestamp, initiated_at from staging.stg_telephony__contact_records "
            "where contact_id = 'C-006'"
        ) == (True, None)
