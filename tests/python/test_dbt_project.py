"""dbt_project.yml declares every var the project reads, with the code's default; the exposures list what the daily
report and the serving file read. Plain file checks (no dbt parse, no build): a few milliseconds."""

from __future__ import annotations

import ast
import re

import yaml

from ccw.metrics import semantic_yaml_documents
from ccw.report.queries import METRIC_QUERIES
from conftest import ROOT

VAR_CALL = re.compile(r"(?<![\w.])var\(")
JINJA_LITERALS = {"none": "None", "true": "True", "false": "False"}


def _var_calls() -> list[tuple[str, str, str | None]]:
    """(file, var name, default source text or None) of every var('...') call in models, macros and the dbt
    tests (env_var(...) is not a dbt var)."""
    calls = []
    for folder in ("models", "macros", "tests/dbt"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".sql", ".yml") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8")
            for match in VAR_CALL.finditer(text):
                depth, end = 1, match.end()
                while depth and end < len(text):  # the matching parenthesis
                    depth += {"(": 1, ")": -1}.get(text[end], 0)
                    end += 1
                arguments = text[match.end():end - 1]
                try:
                    call = ast.parse(f"f({arguments})", mode="eval").body
                except SyntaxError:
                    continue  # prose in a comment, e.g. "var('as_of_at') when set"
                if not isinstance(call, ast.Call) or not call.args or not isinstance(call.args[0], ast.Constant):
                    continue
                default = ast.get_source_segment(f"f({arguments})", call.args[1]) if len(call.args) > 1 else None
                calls.append((str(path.relative_to(ROOT)), call.args[0].value, default))
    return calls


def _declared_vars() -> dict:
    return yaml.safe_load((ROOT / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


def test_every_var_is_declared_with_the_code_default() -> None:
    calls = _var_calls()
    declared = _declared_vars()
    assert len({name for _, name, _ in calls}) >= 10, calls
    missing = sorted({f"{name} ({file})" for file, name, _ in calls if name not in declared})
    assert not missing, f"vars read but not declared in dbt_project.yml: {missing}"
    differ = []
    for file, name, default in calls:
        if default is None:
            continue
        try:
            value = ast.literal_eval(JINJA_LITERALS.get(default, default))
        except ValueError:  # an expression (env_var(...)): the declaration renders the same expression
            if declared[name] != "{{ " + default + " }}":
                differ.append((file, name, default, declared[name]))
            continue
        if declared[name] != value:
            differ.append((file, name, value, declared[name]))
    assert not differ, f"code default != dbt_project.yml (file, var, code, declared): {differ}"


def _exposures() -> dict[str, dict]:
    document = yaml.safe_load((ROOT / "models" / "exposures.yml").read_text(encoding="utf-8"))
    return {exposure["name"]: exposure for exposure in document["exposures"]}


def _depends(exposure: dict, kind: str) -> set[str]:
    return {re.fullmatch(rf"{kind}\('(\w+)'\)", item).group(1) for item in exposure["depends_on"]
            if item.startswith(f"{kind}(")}


#: where the published marts live: the marts layer, and the marts of the analysis layer built on it (schema marts)
MART_FOLDERS = (ROOT / "models" / "marts", ROOT / "models" / "analysis" / "marts")


def test_serving_file_exposure_lists_every_mart() -> None:
    marts = {path.stem for folder in MART_FOLDERS for path in folder.rglob("*.sql")}
    listed = _depends(_exposures()["serving_file"], "ref")
    assert listed == marts, (f"models/exposures.yml, serving_file: add {sorted(marts - listed)}, "
                             f"remove {sorted(listed - marts)} (every mart is published)")


def _metric_inputs() -> tuple[dict[str, dict], dict[str, str]]:
    """Every metric of the YAML by name, and each measure's model."""
    metrics, measure_models = {}, {}
    for _, document in semantic_yaml_documents(ROOT / "models"):
        for metric in document.get("metrics") or []:
            metrics[metric["name"]] = metric
        for model in document.get("semantic_models") or []:
            for measure in model.get("measures") or []:
                measure_models[measure["name"]] = re.search(r"ref\('(\w+)'\)", model["model"]).group(1)
    return metrics, measure_models


def test_daily_report_exposure_lists_what_the_report_reads() -> None:
    exposure = _exposures()["daily_report"]
    source = (ROOT / "src" / "ccw" / "report" / "queries.py").read_text(encoding="utf-8")
    assert set(re.findall(r"\bmarts\.(\w+)", source)) <= _depends(exposure, "ref")
    metrics, measure_models = _metric_inputs()
    saved = {query["name"]: query for _, document in semantic_yaml_documents(ROOT / "models")
             for query in document.get("saved_queries") or []}
    asked = set()
    for query in METRIC_QUERIES.values():
        asked |= set(query.metrics)
        if query.saved_query:
            asked |= set(saved[query.saved_query]["query_params"]["metrics"])
    assert asked <= _depends(exposure, "metric"), sorted(asked - _depends(exposure, "metric"))
    assert _depends(exposure, "metric") <= set(metrics)
    # every metric reads a mart the serving file publishes
    for name in _depends(exposure, "metric"):
        params = metrics[name].get("type_params") or {}
        if metrics[name]["type"] == "simple":
            measure = params["measure"]
            assert measure_models[measure if isinstance(measure, str) else measure["name"]] in _depends(
                _exposures()["serving_file"], "ref")


REF_CALL = re.compile(r"""\bref\(\s*['"]([A-Za-z0-9_]+)['"]\s*\)""")
#: the model layers in build order: a model refs models of its own layer or of a layer before it, never after
LAYERS = ("staging", "intermediate", "marts", "analysis")


def _models_by_layer() -> dict[str, set[str]]:
    return {layer: {p.stem for p in (ROOT / "models" / layer).rglob("*") if p.suffix in (".sql", ".py")}
            for layer in LAYERS}


def test_layers_read_only_layers_before_them() -> None:
    """Layers in order (the SQL or Python of a model and the tests in its YAML): intermediate models ref staging,
    seeds and intermediate models, never a mart (what the contacts need of a dimension is an intermediate model the
    dimension publishes: int_agents__versions -> dim_agents, int_queues__with_targets -> dim_queues); the marts never
    ref the analysis layer (models/analysis: what is built on the marts, inputs and published marts)."""
    layers = _models_by_layer()
    assert {"dim_agents", "dim_queues", "fct_contacts"} <= layers["marts"]
    assert {"int_analysis__agent_segments", "analysis_complaints", "kpi_agent_monthly"} <= layers["analysis"]
    offending = []
    for position, layer in enumerate(LAYERS):
        later = set().union(*(layers[after] for after in LAYERS[position + 1:]))
        for path in sorted((ROOT / "models" / layer).rglob("*")):
            if path.suffix not in (".sql", ".py", ".yml"):
                continue
            offending += [f"{path.relative_to(ROOT)} -> {name}"
                          for name in REF_CALL.findall(path.read_text(encoding="utf-8")) if name in later]
    assert not offending, offending


#: a block: this many consecutive lines of a SQL model written the same, to the letter, in another model (issue 15:
#: "no identical block over 10 lines in SQL models")
BLOCK_LINES = 11
#: lines a block needs beyond blank lines, brackets and import CTEs (`x as (` / `select * from {{ ref(...) }}`): two
#: models importing the same relations in the same order share a block of import CTEs, which is no rule written twice
BLOCK_MIN_CODE_LINES = 5
#: the blocks still written twice, by pair of models, with why they stay; a new pair fails the test, and a pair that
#: no longer repeats a block must leave this list
KNOWN_REPEATED_BLOCKS = {
    ("models/intermediate/workforce/int_workforce__schedule_segments.sql",
     "models/intermediate/workforce/int_workforce__schedules_utc.sql"):
        "the schedule columns in their final CTE: a column list, not a rule",
    ("models/staging/helpdesk/stg_helpdesk__organizations.sql",
     "models/staging/helpdesk/stg_helpdesk__satisfaction_ratings.sql"):
        "Fivetran's sync columns and timestamps cleaned and parsed by the same macros in the same order",
}


def _is_code_line(line: str) -> bool:
    text = line.strip()
    return bool(text) and text not in ("(", ")", "),") and not (
        text.startswith(("with ", "select * from {{ ref(")) or text.endswith(" as ("))


def repeated_blocks(files: dict[str, list[str]]) -> dict[tuple[str, ...], int]:
    """Pairs (or groups) of files sharing a block of BLOCK_LINES identical lines with at least BLOCK_MIN_CODE_LINES
    code lines: the files -> the first line of the block in the first file."""
    places: dict[tuple[str, ...], list[tuple[str, int]]] = {}
    for path, lines in files.items():
        for start in range(len(lines) - BLOCK_LINES + 1):
            block = tuple(line.rstrip() for line in lines[start:start + BLOCK_LINES])
            if sum(map(_is_code_line, block)) >= BLOCK_MIN_CODE_LINES:
                places.setdefault(block, []).append((path, start + 1))
    found: dict[tuple[str, ...], int] = {}
    for where in places.values():
        group = tuple(sorted({path for path, _ in where}))
        if len(group) > 1:
            found.setdefault(group, min(line for path, line in where if path == group[0]))
    return found


def test_repeated_blocks_are_found_and_import_ctes_are_not() -> None:
    rule = ["final as (", "", "    select", "        a,", "        b,", "        c,", "        d,", "        e",
            "    from x", "    where a > 1", "", "),"]
    imports = [line for name in "abcd" for line in (f"{name} as (", "", f"    select * from {{{{ ref('{name}') }}}}",
                                                      "", "),", "")]
    assert repeated_blocks({"one.sql": ["-- one", *rule], "two.sql": [*rule, "-- two"]}) == {("one.sql", "two.sql"): 2}
    assert repeated_blocks({"one.sql": imports, "two.sql": imports}) == {}
    assert repeated_blocks({"one.sql": rule[:-2], "two.sql": rule[:-2]}) == {}  # 10 lines: not a block


def test_no_sql_model_repeats_a_block_of_another() -> None:
    """Each rule in one place (issue 15): no block of BLOCK_LINES lines stands, to the letter, in two SQL models,
    but the known ones (KNOWN_REPEATED_BLOCKS, each with its reason)."""
    files = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8").splitlines()
             for path in sorted((ROOT / "models").rglob("*.sql"))}
    found = repeated_blocks(files)
    new = {group: line for group, line in found.items() if group not in KNOWN_REPEATED_BLOCKS}
    assert not new, f"blocks written again (files -> first line in the first): {new}"
    gone = sorted(set(KNOWN_REPEATED_BLOCKS) - set(found))
    assert not gone, f"no longer repeated, take them out of KNOWN_REPEATED_BLOCKS: {gone}"


def _generic_test_sql(name: str, **arguments: object) -> str:
    """A generic test of tests/dbt/generic rendered as plain Jinja (its ``{% test %}`` block as a macro, with the
    project macro it calls)."""
    import jinja2

    text = (ROOT / "tests" / "dbt" / "generic" / f"{name}.sql").read_text(encoding="utf-8")
    text = re.sub(r"{%\s*test\s+", "{% macro ", text).replace("{% endtest %}", "{% endmacro %}")
    text = (ROOT / "macros" / "testing" / "failing_columns.sql").read_text(encoding="utf-8") + text
    module = jinja2.Environment().from_string(text).module
    return str(getattr(module, name)(**arguments))


def test_not_null_columns_returns_each_column_holding_nulls_with_its_count() -> None:
    """One row per listed column that holds nulls, with how many; a column left out of the list is not checked; an
    empty table passes (its sums are null)."""
    import duckdb

    with duckdb.connect() as con:
        con.execute("create table t (a integer, b varchar, c date, d integer)")
        con.execute("insert into t values (1, 'x', null, null), (2, null, date '2026-01-01', null), "
                    "(3, null, date '2026-01-02', 4)")
        sql = _generic_test_sql("not_null_columns", model="t", column_names=["a", "b", "c"])
        assert sorted(con.execute(sql).fetchall()) == [("b", 2), ("c", 1)]
        con.execute("delete from t where c is null or b is null")
        assert con.execute(sql).fetchall() == []  # every row had a null in b or c: nothing left
        con.execute("insert into t values (5, 'y', date '2026-01-03', null)")
        assert con.execute(sql).fetchall() == []  # d is not listed


def test_accepted_ranges_returns_each_column_with_values_out_of_its_bounds() -> None:
    """Bounds inclusive unless said otherwise, either bound optional, nulls pass; one row per failing column with
    how many rows are out of range (counted by hand below)."""
    import duckdb

    ranges = {"rate": {"min_value": 0, "max_value": 1}, "seconds": {"min_value": 0},
              "score": {"min_value": 1, "max_value": 5, "inclusive": False}, "share": {"max_value": 1}}
    with duckdb.connect() as con:
        con.execute("create table t (rate double, seconds integer, score integer, share double)")
        con.execute("insert into t values (0, 0, 2, 1), (1, -1, 5, null), (1.5, null, 1, 0.5), (null, 3, 4, -7)")
        sql = _generic_test_sql("accepted_ranges", model="t", ranges=ranges)
        # rate: 1.5 (0 and 1 are inclusive bounds); seconds: -1; score: 5 and 1 (exclusive bounds); share: none
        assert sorted(con.execute(sql).fetchall()) == [("rate", 1), ("score", 2), ("seconds", 1)]
        con.execute("delete from t")
        assert con.execute(sql).fetchall() == []


#: the model-level tests that replace dbt's per-column ones, and the argument that names the columns
MODEL_LEVEL_TESTS = {"not_null_columns": "column_names", "accepted_ranges": "ranges"}


def test_required_columns_and_ranges_are_checked_by_one_test_per_model() -> None:
    """The per-column `not_null` and `accepted_range` tests are not used: a model's required columns are listed in its
    one `not_null_columns` test and its bounded columns in its one `accepted_ranges` test, each column one of the
    model's documented columns, once."""
    found = dict.fromkeys(MODEL_LEVEL_TESTS, 0)
    for path in sorted([*(ROOT / "models").rglob("*.yml"), *(ROOT / "seeds").rglob("*.yml")]):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for node in [*(document.get("models") or []), *(document.get("seeds") or [])]:
            where = (path.name, node["name"])
            columns = {c["name"] for c in node.get("columns") or []}
            for column in node.get("columns") or []:
                names = {t if isinstance(t, str) else next(iter(t)) for t in column.get("data_tests") or []}
                assert not names & {"not_null", "accepted_range"}, (*where, column["name"])
            for test, argument in MODEL_LEVEL_TESTS.items():
                listed = [t[test]["arguments"][argument] for t in node.get("data_tests") or []
                          if isinstance(t, dict) and test in t]
                assert len(listed) <= 1, (*where, test)
                for names in listed:
                    found[test] += 1
                    assert set(names) <= columns and len(set(names)) == len(names), (*where, test)
    assert found["not_null_columns"] > 80 and found["accepted_ranges"] > 30, found
