"""The semantic layer: the KPI metrics of the dbt project (MetricFlow), queried read-only.

Metrics, semantic models and saved queries are dbt YAML beside the marts (``models/marts/**/_*__semantic.yml``);
``dbt parse`` compiles them into ``target/semantic_manifest.json``. This module is a thin wrapper over MetricFlow's
Python API that runs the SQL MetricFlow compiles on a DuckDB file opened **read-only** (by default the published
serving file ``CCW_WAREHOUSE``), so a query never takes a lock a build or a publish waits for, and never writes.
``ccw metrics list|query|validate|catalog`` is its command line (``catalog`` writes docs/kpis.md from the YAML).

    layer = SemanticLayer()                                    # serving file + target/semantic_manifest.json
    layer.query(["offered", "service_level"], ["metric_time__month", "contact__channel"])   # a pandas DataFrame
    layer.sql(["fcr_rate"], ["metric_time__week"])             # the SQL MetricFlow compiled (for a BI view)

MetricFlow's own CLI (``mf list metrics``, ``mf query ...``, ``mf validate-configs``) reads the same manifest but
connects through the dbt profile (the build database, opened for writing); use it on a build database no build is
using, never on the serving file.

Programs that run the same queries every day (the publish step's saved-query exports, the daily report) compile
them once with :func:`compile_metric_sql`: the SQL is cached on disk under the manifest's hash, so MetricFlow (4-5 s
to import and plan on this machine) is only loaded when a definition changed. Where filters may use DuckDB's named
parameters (``$first_day``), bound when the SQL runs, so a query compiled once serves every window.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from ccw.config import PROJECT_ROOT, settings
from ccw.read_serving import attach_serving
from ccw.sqltext import ident

#: where `dbt parse` (make setup) writes the semantic manifest
DEFAULT_MANIFEST = PROJECT_ROOT / "target" / "semantic_manifest.json"
#: the table of the serving file holding the semantic manifest of its version (written by ccw.publish)
SERVING_MANIFEST_TABLE = "_semantic_manifest"


def read_manifest_json(path: Path | None = None, parse_if_missing: bool = True) -> dict[str, Any]:
    """The semantic manifest as dbt wrote it (JSON). Runs `dbt parse` first when the project's one is missing."""
    path = path or DEFAULT_MANIFEST
    if not path.exists() and parse_if_missing and path == DEFAULT_MANIFEST:
        dbt = Path(sys.executable).with_name("dbt")
        subprocess.run(
            [str(dbt), "parse", "--quiet", "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT)],
            cwd=PROJECT_ROOT, check=True,
        )
    if not path.exists():
        raise FileNotFoundError(f"no semantic manifest at {path}: run `make setup` (dbt parse) first")
    return json.loads(path.read_text(encoding="utf-8"))


def manifest_catalogs(manifest: dict[str, Any]) -> set[str]:
    """The database (DuckDB catalog) names the manifest's relations are qualified with."""
    relations = [model["node_relation"] for model in manifest.get("semantic_models", [])]
    relations += [spine["node_relation"] for spine in manifest.get("project_configuration", {}).get("time_spines", [])]
    return {relation["database"] for relation in relations if relation.get("database")}


def manifest_catalog(manifest: dict[str, Any]) -> str:
    """The one catalog name the compiled SQL qualifies relations with ("warehouse": dbt names it after the build
    file); attach the DuckDB file to query under this name."""
    catalogs = manifest_catalogs(manifest)
    if len(catalogs) > 1:
        raise ValueError(f"the semantic models live in several databases ({sorted(catalogs)}): not supported")
    return next(iter(catalogs), "warehouse")


def serving_manifest_text(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> str | None:
    """The semantic manifest (JSON text) a publish stored in the serving file with its version, or None when the
    file has none (published before manifests were stored, or from a build without a semantic manifest)."""
    table = f"{ident(catalog) + '.' if catalog else ''}main.{SERVING_MANIFEST_TABLE}"
    try:
        row = con.execute(f"select manifest_json from {table} limit 1").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def _engine(manifest_json: dict[str, Any], client: Any) -> tuple[Any, Any]:
    """The parsed semantic manifest and a MetricFlow engine on it (imports MetricFlow: seconds)."""
    from metricflow.engine.metricflow_engine import MetricFlowEngine
    from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest
    from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

    manifest = parse_manifest_from_dbt_generated_manifest(json.dumps(manifest_json))
    return manifest, MetricFlowEngine(semantic_manifest_lookup=SemanticManifestLookup(manifest), sql_client=client)


def _request(metrics: Sequence[str] = (), group_by: Sequence[str] = (), where: Sequence[str] = (),
             order_by: Sequence[str] = (), limit: int | None = None, saved_query: str | None = None):  # noqa: ANN202
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    return MetricFlowQueryRequest.create(
        saved_query_name=saved_query, metric_names=list(metrics) or None, group_by_names=list(group_by) or None,
        where_constraints=list(where) or None, order_by_names=list(order_by) or None, limit=limit,
    )


class ReadOnlyDuckDbClient:
    """MetricFlow's SqlClient on one DuckDB file attached READ_ONLY (under the catalog name the manifest uses)."""

    def __init__(self, database_file: Path, catalog: str = "warehouse") -> None:
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer

        if not database_file.exists():
            raise FileNotFoundError(f"no DuckDB file at {database_file}: run `make run` (or `ccw run`) first")
        self.database_file = database_file
        self.catalog = catalog
        self._renderer = DuckDbSqlPlanRenderer()
        self._connection = duckdb.connect(":memory:")
        attach_serving(self._connection, database_file, catalog)
        self._connection.execute(f"use {ident(catalog)}")

    @property
    def sql_engine_type(self):  # noqa: ANN201 - metricflow.protocols.sql_client.SqlEngine
        from metricflow.protocols.sql_client import SqlEngine

        return SqlEngine.DUCKDB

    @property
    def sql_plan_renderer(self):  # noqa: ANN201
        return self._renderer

    @staticmethod
    def _no_bind_parameters(sql_bind_parameter_set: Any) -> None:
        if sql_bind_parameter_set is not None and sql_bind_parameter_set.param_dict:
            raise NotImplementedError("bind parameters are not supported by ccw's read-only DuckDB client")

    def query(self, stmt: str, sql_bind_parameter_set: Any = None):  # noqa: ANN201 - MetricFlowDataTable
        from metricflow.data_table.mf_table import MetricFlowDataTable

        self._no_bind_parameters(sql_bind_parameter_set)
        cursor = self._connection.execute(stmt)
        columns = [column[0] for column in cursor.description]
        rows = [tuple(_cell(value) for value in row) for row in cursor.fetchall()]
        return MetricFlowDataTable.create_from_rows(column_names=columns, rows=rows)

    def execute(self, stmt: str, sql_bind_parameter_set: Any = None) -> None:
        self._no_bind_parameters(sql_bind_parameter_set)
        self._connection.execute(stmt)

    def dry_run(self, stmt: str, sql_bind_parameter_set: Any = None) -> None:
        self._no_bind_parameters(sql_bind_parameter_set)
        self._connection.execute(f"explain {stmt}")

    def close(self) -> None:
        self._connection.close()

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        raise NotImplementedError("bind parameters are not supported by ccw's read-only DuckDB client")

    def dataframe(self, stmt: str):  # noqa: ANN201 - pandas.DataFrame
        """The statement's rows as a DataFrame; DuckDB's 128-bit sums become bigint (pandas would make them floats)."""
        relation = self._connection.sql(stmt)
        columns = [
            f"cast({ident(name)} as bigint) as {ident(name)}" if str(dtype) == "HUGEINT" else ident(name)
            for name, dtype in zip(relation.columns, relation.dtypes, strict=True)
        ]
        return relation.select(", ".join(columns)).df()


def _cell(value: Any) -> Any:
    """A DuckDB value as one of the cell types MetricFlow's data table accepts."""
    if value is None or isinstance(value, int | float | str | bool):
        return value
    import datetime
    import decimal

    if isinstance(value, datetime.datetime | datetime.date | decimal.Decimal):
        return value
    return str(value)


@dataclass(frozen=True)
class MetricInfo:
    """One metric of the manifest, as `ccw metrics list` shows it."""

    name: str
    type: str
    label: str
    label_zh: str
    kpi_id: str | None
    kpi_part: str | None
    description: str


def metric_infos(manifest: dict[str, Any]) -> list[MetricInfo]:
    """Every metric of the manifest: KPI metrics first (by K-id, then part), then the others by name."""
    infos = []
    for metric in manifest.get("metrics", []):
        meta = (metric.get("config") or {}).get("meta") or metric.get("meta") or {}
        infos.append(MetricInfo(
            name=metric["name"], type=metric["type"], label=metric.get("label") or metric["name"],
            label_zh=str(meta.get("label_zh", "")), kpi_id=meta.get("kpi_id"), kpi_part=meta.get("kpi_part"),
            description=" ".join((metric.get("description") or "").split()),
        ))
    return sorted(infos, key=lambda m: (m.kpi_id is None, _kpi_sort_key(m.kpi_id), m.kpi_part or "", m.name))


def _kpi_sort_key(kpi_id: str | None) -> tuple[int, str]:
    if not kpi_id:
        return (0, "")
    digits = "".join(ch for ch in kpi_id[1:] if ch.isdigit())
    return (int(digits or 0), kpi_id)


@dataclass(frozen=True)
class ValidationSummary:
    """The outcome of MetricFlow's validations: the semantic rules and (optionally) the data-warehouse checks."""

    errors: tuple[str, ...]
    future_errors: tuple[str, ...]
    warnings: tuple[str, ...]
    data_warehouse_checked: bool

    @property
    def ok(self) -> bool:
        return not self.errors


class SemanticLayer:
    """MetricFlow on the semantic manifest, executing on a DuckDB file opened read-only."""

    def __init__(self, warehouse: Path | None = None, manifest_path: Path | None = None,
                 manifest: dict[str, Any] | None = None) -> None:
        self.warehouse = warehouse or settings().warehouse
        self.manifest_json = manifest if manifest is not None else read_manifest_json(manifest_path)
        self.client = ReadOnlyDuckDbClient(self.warehouse, catalog=manifest_catalog(self.manifest_json))
        self.manifest, self.engine = _engine(self.manifest_json, self.client)

    def __enter__(self) -> SemanticLayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def metrics(self) -> list[MetricInfo]:
        return metric_infos(self.manifest_json)

    def saved_queries(self) -> list[tuple[str, str]]:
        return [(q["name"], " ".join((q.get("description") or "").split()))
                for q in self.manifest_json.get("saved_queries", [])]

    def dimensions(self, metrics: Sequence[str]) -> list[str]:
        """The dimensions valid for all of ``metrics``, with their entity path (besides metric_time__<grain>)."""
        names = set()
        for dimension in self.engine.simple_dimensions_for_metrics(list(metrics)):
            names.add(dimension.dunder_name)
        return sorted(names)

    def sql(self, metrics: Sequence[str] = (), group_by: Sequence[str] = (), where: Sequence[str] = (),
            order_by: Sequence[str] = (), limit: int | None = None, saved_query: str | None = None) -> str:
        """The SQL MetricFlow compiles for the query (DuckDB dialect, relations as "<catalog>"."marts"."<mart>")."""
        request = _request(metrics, group_by, where, order_by, limit, saved_query)
        return self.engine.explain(request).sql_statement.sql

    def query(self, metrics: Sequence[str] = (), group_by: Sequence[str] = (), where: Sequence[str] = (),
              order_by: Sequence[str] = (), limit: int | None = None, saved_query: str | None = None):  # noqa: ANN201
        """The query's result as a pandas DataFrame: one column per group-by item, then one per metric."""
        return self.client.dataframe(self.sql(metrics, group_by, where, order_by, limit, saved_query))

    def validate(self, data_warehouse: bool = True) -> ValidationSummary:
        """`mf validate-configs` through the Python API: the semantic rules, then (unless ``data_warehouse`` is false)
        every semantic model, dimension, entity, measure and metric queried on the read-only file."""
        from metricflow.validation.data_warehouse_model_validator import DataWarehouseModelValidator
        from metricflow_semantic_interfaces.validations.semantic_manifest_validator import SemanticManifestValidator
        from metricflow_semantic_interfaces.validations.validator_helpers import SemanticManifestValidationResults

        results = [SemanticManifestValidator().validate_semantic_manifest(self.manifest)]
        if data_warehouse and not results[0].has_blocking_issues:
            validator = DataWarehouseModelValidator(sql_client=self.client)
            for check in (validator.validate_semantic_models, validator.validate_dimensions,
                          validator.validate_entities, validator.validate_simple_metrics, validator.validate_metrics):
                results.append(check(self.manifest))
        merged = SemanticManifestValidationResults.merge(results)
        return ValidationSummary(
            errors=tuple(issue.as_readable_str() for issue in merged.errors),
            future_errors=tuple(issue.as_readable_str() for issue in merged.future_errors),
            warnings=tuple(issue.as_readable_str() for issue in merged.warnings),
            data_warehouse_checked=data_warehouse and len(results) > 1,
        )


class _RenderOnlyClient:
    """A SqlClient that only renders: MetricFlow compiles SQL with it, never runs any (see compile_metric_sql)."""

    def __init__(self) -> None:
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer

        self._renderer = DuckDbSqlPlanRenderer()

    @property
    def sql_engine_type(self):  # noqa: ANN201
        from metricflow.protocols.sql_client import SqlEngine

        return SqlEngine.DUCKDB

    @property
    def sql_plan_renderer(self):  # noqa: ANN201
        return self._renderer

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("a compile-only MetricFlow client does not execute SQL")

    query = execute = dry_run = render_bind_parameter_key = _refuse

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class MetricQuery:
    """One MetricFlow query, as `ccw metrics query` takes it. ``where`` filters may use DuckDB named parameters
    (``{{ TimeDimension('metric_time', 'day') }} between $first_day and $last_day``), bound when the SQL runs."""

    metrics: tuple[str, ...] = ()
    group_by: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ()
    saved_query: str | None = None

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


#: bump when the way ccw compiles changes (a cached SQL of an older scheme is then never used)
_COMPILE_SCHEME = 1


def sql_cache_dir() -> Path:
    """Where compiled metric SQL is cached: $CCW_CACHE_DIR, else $XDG_CACHE_HOME/ccw, else ~/.cache/ccw."""
    if os.environ.get("CCW_CACHE_DIR"):
        return Path(os.environ["CCW_CACHE_DIR"]) / "metric-sql"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ccw" / "metric-sql"


def manifest_digest(manifest_text: str) -> str:
    """The cache key of a manifest: its bytes, the MetricFlow version that compiles it and ccw's compile scheme."""
    from importlib.metadata import version

    digest = hashlib.sha256(manifest_text.encode("utf-8"))
    digest.update(f"|metricflow {version('metricflow')}|scheme {_COMPILE_SCHEME}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class CompiledQueries:
    """SQL per query name, and how it was obtained (for the callers' timing lines)."""

    sql: dict[str, str]
    compiled: int  # queries MetricFlow compiled now (0: all came from the cache)
    cache_file: Path | None


def compile_metric_sql(queries: Mapping[str, MetricQuery], manifest_text: str,
                       cache_dir: Path | None = None, use_cache: bool = True) -> CompiledQueries:
    """The SQL MetricFlow compiles for each query, from the cache when this manifest's queries were compiled before.

    MetricFlow is imported only when a query is missing from the cache (a definition changed, or a new query).
    The cache is one JSON file per manifest digest, replaced atomically; an unwritable cache only costs time."""
    cache_file = (cache_dir or sql_cache_dir()) / f"{manifest_digest(manifest_text)[:32]}.json" if use_cache else None
    cached: dict[str, str] = {}
    if cache_file is not None and cache_file.is_file():
        try:
            cached = json.loads(cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cached = {}
    missing = {query.key(): query for query in queries.values() if query.key() not in cached}
    if missing:
        _, engine = _engine(json.loads(manifest_text), _RenderOnlyClient())
        for key, query in missing.items():
            request = _request(query.metrics, query.group_by, query.where, query.order_by, None, query.saved_query)
            cached[key] = engine.explain(request).sql_statement.sql
        if cache_file is not None:
            _write_cache(cache_file, cached)
    return CompiledQueries({name: cached[query.key()] for name, query in queries.items()}, len(missing), cache_file)


def _write_cache(cache_file: Path, cached: dict[str, str]) -> None:
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        temp = cache_file.with_name(f".{cache_file.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps(cached, sort_keys=True), encoding="utf-8")
        os.replace(temp, cache_file)
    except OSError:
        pass


def run_metric_sql(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None):  # noqa: ANN201
    """Compiled metric SQL as a pandas DataFrame; only the named parameters the SQL uses are bound. DuckDB's 128-bit
    sums (which pandas receives as floats) become int64 again when they have no null."""
    used = {name: value for name, value in (params or {}).items() if re.search(rf"\${name}\b", sql)}
    cursor = con.execute(sql, used or None)
    hugeint = [column[0] for column in cursor.description if str(column[1]) == "HUGEINT"]
    frame = cursor.df()
    for name in hugeint:
        if frame[name].notna().all():
            frame[name] = frame[name].round().astype("int64")
    return frame


#: K-ids of the catalogue that are not metrics, and where they live instead
MART_ONLY_KPIS = {
    "K28": "required_agents: Erlang C per 30-minute interval and queue (kpi_service_interval, staffing_requirements); "
           "a model, not a sum of rows",
    "K29": "scheduled_agents, logged_in_agents: agents allocated to a queue's interval by each agent's queue shares "
           "(kpi_service_interval, staffing_requirements)",
    "K30": "staffing_gap = logged_in_agents - required_agents (kpi_service_interval, staffing_requirements)",
    "K32": "workload_index: an agent's handled per logged-in hour relative to the team median of the day or month "
           "(kpi_agent_daily, kpi_agent_monthly); a median is not a ratio of sums",
}
CATALOG_PATH = PROJECT_ROOT / "docs" / "kpis.md"


def semantic_yaml_documents(models_dir: Path | None = None) -> list[tuple[Path, dict[str, Any]]]:
    """The YAML files of the dbt project that declare metrics or semantic models, parsed (no dbt parse needed)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    documents = []
    for path in sorted((models_dir or PROJECT_ROOT / "models").rglob("*.yml")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^(metrics|semantic_models):", text, re.MULTILINE):
            documents.append((path, yaml.load(text, Loader=loader) or {}))  # noqa: S506 - a safe loader
    return documents


def _cell_text(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def kpi_catalog_markdown(models_dir: Path | None = None) -> str:
    """docs/kpis.md, generated from the metric YAML: every KPI metric with its formula, then the inputs."""
    documents = semantic_yaml_documents(models_dir)
    root = (models_dir or PROJECT_ROOT / "models").parent
    metrics: dict[str, tuple[dict[str, Any], str]] = {}
    measures: dict[str, tuple[dict[str, Any], str, str]] = {}
    for path, document in documents:
        for metric in document.get("metrics") or []:
            metrics[metric["name"]] = (metric, path.relative_to(root).as_posix())
        for model in document.get("semantic_models") or []:
            mart = model["model"].split("'")[1] if "'" in model["model"] else model["model"]
            for measure in model.get("measures") or []:
                measures[measure["name"]] = (measure, model["name"], mart)

    def formula(metric: dict[str, Any]) -> str:
        params = metric.get("type_params") or {}
        if metric["type"] == "ratio":
            return f"`{params['numerator']}` / `{params['denominator']}`"
        if metric["type"] == "derived":
            return f"`{' '.join(str(params['expr']).split())}`"
        measure = params["measure"]
        measure = measure["name"] if isinstance(measure, dict) else measure
        spec, _, mart = measures[measure]
        agg = spec["agg"]
        if agg == "percentile":
            agg = f"percentile {spec['agg_params']['percentile']}"
        return f"{agg}(`{' '.join(str(spec.get('expr', measure)).split())}`) on {mart}"

    kpis = sorted(
        ((meta.get("kpi_id"), meta.get("kpi_part") or "", name)
         for name, (metric, _) in metrics.items()
         if (meta := (metric.get("config") or {}).get("meta") or {}).get("kpi_id")),
        key=lambda item: (_kpi_sort_key(item[0]), item[1]),
    )
    lines = [
        "# KPI catalogue",
        "",
        "<!-- Generated from the metric YAML by `ccw metrics catalog --write`; "
        "tests/python/test_semantic_layer.py fails while it differs. Do not edit by hand. -->",
        "",
        "Every KPI of the contact centre is one metric of the dbt semantic layer (MetricFlow), defined once in "
        "`models/marts/**/_*__semantic.yml` and queried with `ccw metrics query` (README, section Semantic layer). "
        "A ratio is the sum of its numerator over the sum of its denominator at the grain asked for, never an "
        "average of ratios. Times are seconds; rates are fractions in [0, 1]. A KPI mart column that carries a KPI "
        "names the same K-id in its dbt description.",
        "",
        "## KPIs",
        "",
        "| K-id | metric | label | 中文 | formula | definition |",
        "|---|---|---|---|---|---|",
    ]
    for kpi_id, part, name in kpis:
        metric, _ = metrics[name]
        meta = (metric.get("config") or {}).get("meta") or {}
        kpi = f"{kpi_id} ({part})" if part else kpi_id
        lines.append(f"| {kpi} | `{name}` | {_cell_text(metric['label'])} | {_cell_text(meta.get('label_zh', ''))} | "
                     f"{_cell_text(formula(metric))} | {_cell_text(metric.get('description', ''))} |")
    lines += ["", "## KPIs that stay mart columns", "", "| K-id | where and why |", "|---|---|"]
    lines += [f"| {kpi_id} | {_cell_text(text)} |" for kpi_id, text in MART_ONLY_KPIS.items()]
    kpi_names = {name for _, _, name in kpis}
    lines += [
        "",
        "## Inputs and other metrics",
        "",
        "Numerators, denominators and counts the KPIs are built from (each one a metric too), and metrics that are "
        "not KPIs of the catalogue.",
        "",
        "| metric | label | 中文 | formula | definition | file |",
        "|---|---|---|---|---|---|",
    ]
    for name in sorted(set(metrics) - kpi_names):
        metric, file = metrics[name]
        meta = (metric.get("config") or {}).get("meta") or {}
        lines.append(f"| `{name}` | {_cell_text(metric['label'])} | {_cell_text(meta.get('label_zh', ''))} | "
                     f"{_cell_text(formula(metric))} | {_cell_text(metric.get('description', ''))} | `{file}` |")
    return "\n".join(lines) + "\n"


def format_table(frame: Any, float_digits: int = 4) -> str:
    """A DataFrame as an aligned text table (dates without a midnight time, floats rounded)."""
    import pandas as pd

    frame = frame.copy()
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_datetime64_any_dtype(series) and (series.dropna().dt.normalize() == series.dropna()).all():
            frame[column] = series.dt.date
        elif pd.api.types.is_float_dtype(series):
            frame[column] = series.round(float_digits)
    return frame.to_string(index=False, na_rep="-")


def _split(values: Sequence[str] | None) -> list[str]:
    return [item.strip() for value in values or () for item in value.split(",") if item.strip()]


def main(args: Any) -> int:
    """`ccw metrics list|query|validate|catalog` (arguments from ccw.cli); errors as one message, not a traceback."""
    try:
        return _main(args)
    except FileNotFoundError as exc:
        print(f"ccw metrics: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader (head, less) stopped reading
        return 0
    except Exception as exc:  # MetricFlow's query errors (unknown metric, dimension not reachable, ...)
        if type(exc).__module__.split(".")[0] not in (
            "metricflow", "metricflow_semantics", "metricflow_semantic_interfaces", "duckdb", "_duckdb",
        ):
            raise
        print(f"ccw metrics {args.metrics_command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


def _main(args: Any) -> int:
    warehouse = Path(args.warehouse).resolve() if getattr(args, "warehouse", None) else None
    manifest = Path(args.manifest).resolve() if getattr(args, "manifest", None) else None
    if args.metrics_command == "catalog":
        text = kpi_catalog_markdown()
        if args.write:
            CATALOG_PATH.parent.mkdir(parents=True, exist_ok=True)
            CATALOG_PATH.write_text(text, encoding="utf-8")
            print(f"wrote {CATALOG_PATH}")
        else:
            print(text, end="")
        return 0
    if args.metrics_command == "list":
        manifest_json = read_manifest_json(manifest)
        infos = metric_infos(manifest_json)
        if args.kpis:
            infos = [info for info in infos if info.kpi_id]
        width = max(len(info.name) for info in infos)
        for info in infos:
            kpi = f"{info.kpi_id}{'.' + info.kpi_part if info.kpi_part else ''}" if info.kpi_id else ""
            print(f"{kpi:<11} {info.name:<{width}}  {info.type:<7}  {info.label} / {info.label_zh}")
        saved = manifest_json.get("saved_queries", [])
        print(f"\n{len(infos)} metrics ({sum(1 for info in infos if info.kpi_id)} carry a K-id of the catalogue); "
              f"saved queries: {', '.join(q['name'] for q in saved) or 'none'}")
        print("query: ccw metrics query --metrics offered,service_level --group-by metric_time__month,contact__channel")
        return 0
    with SemanticLayer(warehouse=warehouse, manifest_path=manifest) as layer:
        if args.metrics_command == "validate":
            summary = layer.validate(data_warehouse=not args.skip_dw)
            for label, issues in (("ERROR", summary.errors), ("FUTURE ERROR", summary.future_errors),
                                  ("WARNING", summary.warnings)):
                for issue in issues:
                    print(f"{label}: {issue}")
            checked = f"semantics{' and data warehouse (' + str(layer.warehouse) + ')' if not args.skip_dw else ''}"
            print(f"validated {checked}: {len(summary.errors)} error(s), {len(summary.future_errors)} future "
                  f"error(s), {len(summary.warnings)} warning(s)")
            return 0 if summary.ok else 1
        if args.dimensions:
            for name in layer.dimensions(_split(args.metrics)):
                print(name)
            return 0
        group_by = _split(args.group_by)
        query = dict(metrics=_split(args.metrics), group_by=group_by, where=list(args.where or ()),
                     order_by=_split(args.order_by) or group_by, limit=args.limit, saved_query=args.saved_query)
        if not query["metrics"] and not query["saved_query"]:
            print("ccw metrics query: give --metrics (comma-separated) or --saved-query", file=sys.stderr)
            return 2
        if args.sql:
            print(layer.sql(**query))
            return 0
        frame = layer.query(**query)
        if args.csv:
            frame.to_csv(sys.stdout, index=False)
        else:
            print(format_table(frame))
        return 0


def add_arguments(parser: Any) -> None:
    """The `ccw metrics` sub-commands (called by ccw.cli)."""
    sub = parser.add_subparsers(dest="metrics_command", required=True)
    common = {"--warehouse": "DuckDB file to query, opened read-only (default: the serving file CCW_WAREHOUSE)",
              "--manifest": "semantic_manifest.json (default: target/semantic_manifest.json of `dbt parse`)"}
    listing = sub.add_parser("list", help="the metrics: K-id, name, type, English / Chinese label")
    listing.add_argument("--kpis", action="store_true", help="only the metrics that carry a K-id")
    listing.add_argument("--manifest", help=common["--manifest"])
    query = sub.add_parser("query", help="query metrics by dimensions and time grain (read-only)")
    query.add_argument("--metrics", action="append", help="comma-separated metric names")
    query.add_argument("--group-by", action="append",
                       help="comma-separated: metric_time__day|week|month|quarter|year, entities (queue, agent), "
                            "dimensions (contact__channel, agent_version__team, queue__queue_name, ...)")
    query.add_argument("--where", action="append",
                       help="a MetricFlow filter, e.g. \"{{ Dimension('contact__channel') }} = 'phone'\"")
    query.add_argument("--order-by", action="append",
                       help="comma-separated; prefix - for descending (write --order-by=-csat_avg)")
    query.add_argument("--limit", type=int)
    query.add_argument("--saved-query", help="a saved query of the project (service_daily, agent_daily, ...)")
    query.add_argument("--sql", action="store_true", help="print the compiled SQL instead of running it")
    query.add_argument("--csv", action="store_true", help="CSV on stdout instead of a text table")
    query.add_argument("--dimensions", action="store_true", help="list the group-by names valid for --metrics")
    catalog = sub.add_parser("catalog", help="the KPI catalogue (docs/kpis.md) generated from the metric YAML")
    catalog.add_argument("--write", action="store_true", help="write docs/kpis.md instead of printing it")
    validate = sub.add_parser("validate", help="mf validate-configs on the read-only file (semantics + warehouse)")
    validate.add_argument("--skip-dw", action="store_true", help="semantic rules only, no query on the file")
    for command in (query, validate):
        command.add_argument("--warehouse", help=common["--warehouse"])
        command.add_argument("--manifest", help=common["--manifest"])
