"""The semantic layer (MetricFlow metrics of models/marts/**/_*__semantic.yml): one metric per KPI, valid, and equal
to the KPI marts at their grains.

- the metric YAML: every K-id of the catalogue that has a metric has exactly one (per part: K06 median / p90, the
  three parts of K11), with a label, a description naming the K-id and a Chinese label; no averaged measure;
- `mf validate-configs` (MetricFlow's CLI, semantic rules) and the same validations through the Python API with the
  data-warehouse checks, read-only, on the shared run's build database;
- metrics queried through MetricFlow at the KPI marts' grains (day x channel x queue, interval x queue,
  day x agent, month x agent, month x team) equal the mart columns, on the shared run's serving file (read-only);
- `ccw metrics list|query` prints the metrics and a table.
"""

from __future__ import annotations

import functools
import math
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, PipelineRun, pipeline_env

pytest.importorskip("metricflow", reason="dbt-metricflow is not installed (pyproject.toml dependency): make setup")

from ccw.metrics import (  # noqa: E402 - after the importorskip
    CATALOG_PATH,
    MART_ONLY_KPIS,
    SemanticLayer,
    kpi_catalog_markdown,
    semantic_yaml_documents,
)

MODELS = ROOT / "models"
KPI_ID = re.compile(r"^K\d{2}b?$")
#: K-ids of ../shared/spec/kpis.md (docs/kpis.md) that are metrics; the others stay mart columns: K28 Erlang C
#: required agents, K29 scheduled / logged-in agents, K30 staffing gap (kpi_service_interval, staffing_requirements)
#: and K32 workload index (relative to the team median; kpi_agent_daily / kpi_agent_monthly)
KPI_METRICS = {f"K{n:02d}" for n in range(1, 28)} | {"K06b", "K07b", "K31"}


@functools.cache
def _yaml_documents() -> tuple[tuple[Path, dict], ...]:
    return tuple(semantic_yaml_documents(MODELS))


def _yaml_metrics() -> list[tuple[Path, dict]]:
    return [(path, metric) for path, document in _yaml_documents() for metric in document.get("metrics") or []]


def _yaml_measures() -> list[dict]:
    return [
        measure for _, document in _yaml_documents() for model in document.get("semantic_models") or []
        for measure in model.get("measures") or []
    ]


def _meta(metric: dict) -> dict:
    return (metric.get("config") or {}).get("meta") or {}


def test_every_kpi_has_exactly_one_metric() -> None:
    metrics = _yaml_metrics()
    assert metrics, "no metrics: models/marts/**/_*__semantic.yml"
    names = [metric["name"] for _, metric in metrics]
    assert len(names) == len(set(names)), "a metric name is defined twice"
    by_kpi: dict[str, list[tuple[str, str | None]]] = {}
    for path, metric in metrics:
        where = f"{metric['name']} ({path.relative_to(ROOT)})"
        assert metric.get("label"), f"{where}: no label"
        assert metric.get("description"), f"{where}: no description"
        assert _meta(metric).get("label_zh"), f"{where}: no Chinese label (config.meta.label_zh)"
        kpi_id = _meta(metric).get("kpi_id")
        if kpi_id is None:
            continue
        assert KPI_ID.match(kpi_id), f"{where}: kpi_id {kpi_id!r} is not a K-id of the catalogue"
        assert metric["description"].startswith(f"{kpi_id} "), f"{where}: the description must start with {kpi_id}"
        by_kpi.setdefault(kpi_id, []).append((metric["name"], _meta(metric).get("kpi_part")))
    for kpi_id, entries in sorted(by_kpi.items()):
        parts = [part for _, part in entries]
        assert len(parts) == len(set(parts)), f"{kpi_id} has two metrics for one part: {entries}"
        headline = [name for name, part in entries if part is None]
        assert len(headline) == 1 or (not headline and len(entries) > 1), (
            f"{kpi_id} must have exactly one metric (besides its named parts): {entries}"
        )
    assert set(by_kpi) == KPI_METRICS, (
        f"K-ids with a metric changed: missing {sorted(KPI_METRICS - set(by_kpi))}, "
        f"unexpected {sorted(set(by_kpi) - KPI_METRICS)} (update KPI_METRICS and docs/kpis.md)"
    )
    assert set(MART_ONLY_KPIS) == {"K28", "K29", "K30", "K32"} and not set(by_kpi) & set(MART_ONLY_KPIS)


def test_no_measure_averages() -> None:
    """Ratios come from summed numerators and denominators (ratio / derived metrics), never an average."""
    averaged = [measure["name"] for measure in _yaml_measures() if measure.get("agg") in ("average", "avg")]
    assert not averaged, f"measures that average (use a ratio of two sums): {averaged}"


def test_kpi_catalogue_is_generated_from_the_metrics() -> None:
    assert CATALOG_PATH.exists(), "docs/kpis.md is missing: ccw metrics catalog --write"
    assert CATALOG_PATH.read_text(encoding="utf-8") == kpi_catalog_markdown(MODELS), (
        "docs/kpis.md differs from the metric YAML: run `ccw metrics catalog --write` and commit it"
    )


def _manifest_is_stale(manifest: Path) -> bool:
    if not manifest.exists():
        return True
    newest = max(path.stat().st_mtime for path in [*MODELS.rglob("*.yml"), ROOT / "dbt_project.yml"])
    return manifest.stat().st_mtime < newest


def test_mf_validate_configs(tmp_path: Path) -> None:
    """MetricFlow's own CLI on the project's target/semantic_manifest.json (semantic rules; the warehouse checks run
    read-only in test_validations_pass_on_the_build_database). `dbt debug`, which mf runs first, opens the profile's
    database: a throwaway file here, never data/."""
    bin_dir = Path(sys.executable).parent
    # named warehouse.duckdb like every build database: dbt names the relations' database after the file
    env = {**pipeline_env(tmp_path), "CCW_BUILD_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
           "DBT_LOG_PATH": str(tmp_path / "logs")}
    if _manifest_is_stale(ROOT / "target" / "semantic_manifest.json"):
        parse = subprocess.run([str(bin_dir / "dbt"), "parse", "--quiet"], cwd=ROOT, env=env, capture_output=True,
                               text=True, timeout=600, check=False)
        assert parse.returncode == 0, parse.stdout + parse.stderr
    result = subprocess.run(
        [str(bin_dir / "mf"), "validate-configs", "--skip-dw", "--show-all"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=300, check=False,
    )
    output = result.stdout + result.stderr
    print(output[-2000:])
    assert result.returncode == 0, output
    assert "ERRORS: 0, FUTURE_ERRORS: 0, WARNINGS: 0" in output, output


def _build_manifest(run: PipelineRun) -> Path:
    """The semantic manifest the shared run's dbt build wrote (ccw.build: dbt_target beside the build database)."""
    return run.build_warehouse.parent / "dbt_target" / "semantic_manifest.json"


def test_validations_pass_on_the_build_database(built_sample: PipelineRun) -> None:
    with SemanticLayer(warehouse=built_sample.build_warehouse, manifest_path=_build_manifest(built_sample)) as layer:
        summary = layer.validate(data_warehouse=True)
    assert summary.data_warehouse_checked
    assert summary.ok, "\n".join(summary.errors)
    assert not summary.future_errors and not summary.warnings, "\n".join(summary.future_errors + summary.warnings)


@pytest.fixture(scope="module")
def layer(semantic_layer: SemanticLayer) -> SemanticLayer:
    """MetricFlow on the shared run's serving file, read-only (what `ccw metrics` and BI tools read); the session's
    one (conftest.semantic_layer), shared with the report's tests."""
    return semantic_layer


@dataclass(frozen=True)
class Grain:
    mart: str
    group_by: tuple[str, ...]
    keys: tuple[str, ...]  # the mart's columns for group_by, in order
    metrics: tuple[str, ...]
    columns: dict[str, str]  # metric -> mart column where the names differ
    where: tuple[str, ...] = ()


SERVICE_DAILY = (
    "contacts", "offered", "answered", "abandoned", "short_abandoned", "sl_denominator", "answered_within_sl",
    "ivr_contained", "callbacks", "abandon_rate", "service_level", "asa_seconds", "sum_wait_seconds_answered",
    "answered_with_wait", "first_response_mean_seconds", "first_response_median_seconds", "first_response_p90_seconds",
    "first_response_business_mean_seconds", "first_response_business_median_seconds",
    "first_response_business_p90_seconds", "resolution_mean_seconds", "resolution_median_seconds",
    "resolution_p90_seconds", "resolution_business_mean_seconds", "resolution_business_median_seconds",
    "resolution_business_p90_seconds", "sla_first_response_breach_rate", "sla_resolution_breach_rate",
    "aht_seconds", "mean_talk_seconds", "mean_hold_seconds", "mean_acw_seconds", "transfer_rate",
    "fcr_resolved_first_contact", "fcr_denominator", "fcr_pending", "fcr_rate", "reopen_rate", "one_touch_rate",
    "resolution_rate", "repeat_contact_rate", "surveys_sent", "surveys_responded", "survey_response_rate",
    "csat_avg", "csat_pct", "nps", "ces_avg", "negative_feedback_rate",
)
AGENT = (
    "answered", "aht_seconds", "mean_talk_seconds", "mean_hold_seconds", "mean_acw_seconds", "occupancy",
    "utilization", "adherence", "contacts_per_productive_hour", "transfer_rate", "fcr_rate", "csat_avg", "csat_pct",
    "logged_in_seconds", "handling_seconds", "productive_seconds",
)
AGENT_KNOWN = ("{{ Entity('agent') }} is not null",)
GRAINS = {
    "day x channel x queue": Grain("kpi_service_daily", ("metric_time__day", "contact__channel", "queue"),
                                   ("date_day", "channel", "queue_id"), SERVICE_DAILY, {}),
    "interval x queue": Grain(
        "kpi_service_interval", ("contact__interval_start", "queue"), ("interval_start_at", "queue_id"),
        ("offered", "answered", "abandoned", "short_abandoned", "answered_within_sl", "sl_denominator",
         "service_level", "asa_seconds", "aht_seconds"), {}, ("{{ Entity('queue') }} is not null",),
    ),
    "day x agent": Grain("kpi_agent_daily", ("metric_time__day", "agent"), ("date_day", "agent_id"), AGENT,
                         {"answered": "handled"}, AGENT_KNOWN),
    "month x agent": Grain("kpi_agent_monthly", ("metric_time__month", "agent"), ("month", "agent_id"), AGENT,
                           {"answered": "handled"}, AGENT_KNOWN),
    "month x team": Grain("kpi_team_monthly", ("metric_time__month", "agent_version__team"), ("month", "team"), AGENT,
                          {"answered": "handled"}, ("{{ Dimension('agent_version__team') }} is not null",)),
}


def _normalised_keys(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values) and column.startswith("metric_time"):
            values = values.dt.date
        frame[column] = values.astype(str)
    return frame


def _equal(mart_value: object, metric_value: object) -> bool:
    def number(value: object) -> float | None:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return None
        return float(value)

    a, b = number(mart_value), number(metric_value)
    if a is None or b is None:
        return (a or 0.0) == 0.0 and (b or 0.0) == 0.0  # the marts write 0 where no row carries a count
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("grain_name", list(GRAINS))
def test_metrics_equal_the_kpi_marts(layer: SemanticLayer, grain_name: str) -> None:
    grain = GRAINS[grain_name]
    got = layer.query(grain.metrics, grain.group_by, where=grain.where)
    selected = [f"{key} as {name}" for key, name in zip(grain.keys, grain.group_by, strict=True)]
    selected += [f"{grain.columns.get(metric, metric)} as {metric}" for metric in grain.metrics]
    expected = layer.client.dataframe(f"select {', '.join(selected)} from marts.{grain.mart}")
    keys = list(grain.group_by)
    merged = _normalised_keys(expected, grain.group_by).merge(
        _normalised_keys(got, grain.group_by), on=keys, how="outer", suffixes=("__mart", "__metric"), indicator=True,
    )
    assert len(merged) >= len(expected) > 0
    mismatches = []
    for metric in grain.metrics:
        for row in merged[keys + [f"{metric}__mart", f"{metric}__metric", "_merge"]].itertuples(index=False):
            if not _equal(row[-3], row[-2]):
                mismatches.append((metric, *row[: len(keys)], row[-3], row[-2], row[-1]))
    print(f"\n{grain_name}: {len(expected)} rows of {grain.mart}, {len(got)} from MetricFlow, "
          f"{len(grain.metrics)} metrics, {len(mismatches)} mismatches")
    assert not mismatches, f"{len(mismatches)} values differ from {grain.mart} (first 20):\n" + "\n".join(
        map(str, mismatches[:20])
    )


def test_saved_queries_run(layer: SemanticLayer) -> None:
    names = [name for name, _ in layer.saved_queries()]
    assert {"service_daily", "service_interval", "agent_daily", "agent_monthly", "team_monthly", "centre_daily",
            "live_queues_daily"} <= set(names)
    for name in names:
        frame = layer.query(saved_query=name, limit=5)
        assert len(frame) > 0, name


def test_exported_saved_queries_equal_the_saved_queries(layer: SemanticLayer) -> None:
    """What a BI tool reads from metrics.<saved query> in the serving file is what `ccw metrics query --saved-query`
    answers (MetricFlow compiling the saved query afresh on the same file), row for row."""
    exported = dict(layer.client.dataframe(
        "select table_name, row_count from main._publish where table_schema = 'metrics'").values.tolist())
    assert set(exported) == {name for name, _ in layer.saved_queries()}
    for name, rows in exported.items():
        table = layer.client.dataframe(f'select * from metrics."{name}"')
        fresh = layer.query(saved_query=name)
        assert list(table.columns) == list(fresh.columns) and len(table) == len(fresh) == rows, name
        for column in fresh.columns:
            if column.startswith("metric_time__"):  # exported as dates
                fresh[column] = pd.to_datetime(fresh[column])
                table[column] = pd.to_datetime(table[column])
        keys = [c for c in fresh.columns if not pd.api.types.is_float_dtype(fresh[c])]
        merged = table.merge(fresh, on=keys, how="outer", suffixes=("__export", "__fresh"), indicator=True)
        assert (merged["_merge"] == "both").all(), (name, merged[merged["_merge"] != "both"].head())
        for column in (c for c in fresh.columns if c not in keys):
            pairs = merged[[f"{column}__export", f"{column}__fresh"]].itertuples(index=False)
            assert all(_equal(a, b) for a, b in pairs), (name, column)


def _ccw(run: PipelineRun, *args: str) -> subprocess.CompletedProcess[str]:
    ccw = Path(sys.executable).with_name("ccw")
    env = {**run.env(), "PYTHONUNBUFFERED": "1"}
    env.pop("CCW_WAREHOUSE", None)
    return subprocess.run([str(ccw), "metrics", *args, "--manifest", str(_build_manifest(run))], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_ccw_metrics_list_and_query(built_sample: PipelineRun) -> None:
    listing = _ccw(built_sample, "list", "--kpis")
    assert listing.returncode == 0, listing.stderr
    for kpi_id in KPI_METRICS:
        assert re.search(rf"^{kpi_id}\b", listing.stdout, re.MULTILINE), f"{kpi_id} not listed:\n{listing.stdout}"
    query = _ccw(built_sample, "query", "--metrics", "offered,service_level,fcr_rate,csat_avg",
                 "--group-by", "metric_time__month,contact__channel")
    assert query.returncode == 0, query.stderr
    print(query.stdout)
    header, *rows = query.stdout.strip().splitlines()
    assert header.split() == ["metric_time__month", "contact__channel", "offered", "service_level", "fcr_rate",
                              "csat_avg"]
    assert len(rows) >= 4  # every channel in at least one month
