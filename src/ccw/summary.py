"""The short summary `make run` prints: rows per layer, headline KPIs, where the file is."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ccw.read_serving import connect_serving

LAYERS = ("raw", "staging", "intermediate", "marts")


def rows_per_layer(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """(relations, rows) per schema; views are counted too (their rows are computed)."""
    out: dict[str, tuple[int, int]] = {}
    for schema in LAYERS:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
            ).fetchall()
        ]
        total = sum(con.execute(f'select count(*) from {schema}."{n}"').fetchone()[0] for n in names)
        out[schema] = (len(names), total)
    return out


def headline_kpis(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """A few headline KPIs over the whole sample, re-aggregated from numerators and denominators."""
    has = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' "
        "and table_name = 'kpi_service_daily'"
    ).fetchone()[0]
    if not has:
        return []
    row = con.execute(
        """
        select sum(offered), sum(answered),
               sum(answered_within_sl) / nullif(sum(offered) - sum(short_abandoned), 0),
               (sum(abandoned) - sum(short_abandoned)) / nullif(sum(offered) - sum(short_abandoned), 0),
               sum(csat_top2_responses) / nullif(sum(csat_responses), 0)
        from marts.kpi_service_daily
        """
    ).fetchone()
    labels = ["offered (K01)", "answered (K02)", "service level (K04)", "abandon rate (K03)", "CSAT top-2 (K23)"]
    fmt = [f"{row[0]:,}", f"{row[1]:,}"] + [("n/a" if v is None else f"{v:.1%}") for v in row[2:]]
    return list(zip(labels, fmt, strict=True))


def incomplete_days(con: duckdb.DuckDBPyConnection, days: int = 7) -> list[tuple[str, str]]:
    """(export day, its missing or refused sources) of the incomplete days among the last ``days`` export days
    (marts.data_completeness_daily; none when the mart is not built)."""
    has = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' "
        "and table_name = 'data_completeness_daily'"
    ).fetchone()[0]
    if not has:
        return []
    rows = con.execute(
        """
        select distinct date_day, incomplete_source_list from marts.data_completeness_daily
        where not is_complete_day
          and date_day > (select max(date_day) from marts.data_completeness_daily) - ?::integer
        order by date_day
        """,
        [days],
    ).fetchall()
    return [(str(day), str(sources)) for day, sources in rows]


def render(warehouse: Path) -> str:
    con = connect_serving(warehouse)
    try:
        lines = ["", "Warehouse summary", f"  file: {warehouse}"]
        for schema, (n, rows) in rows_per_layer(con).items():
            lines.append(f"  {schema:<13} {n:>3} relations {rows:>12,} rows")
        try:
            kpis = headline_kpis(con)
        except duckdb.Error as exc:  # marts still being built out: say so, don't hide it
            kpis = [("headline KPIs", f"unavailable ({exc.__class__.__name__})")]
        if kpis:
            lines.append("  headline KPIs (whole sample):")
            lines += [f"    {label:<22} {value}" for label, value in kpis]
        try:
            incomplete = incomplete_days(con)
        except duckdb.Error:  # an older build without the mart's columns
            incomplete = []
        if incomplete:
            lines.append("  incomplete export days (a source's file missing or refused; their KPIs are computed from "
                         "what landed and flagged is_complete_day = false):")
            lines += [f"    {day}: {sources}" for day, sources in incomplete]
        return "\n".join(lines)
    finally:
        con.close()
