"""Complaints and praise (issue 19 part 3) on the shared default build (read-only): the complaint counts of
analysis_complaints equal a recount straight from fct_contacts, every slice dimension partitions the centre, and
the theme terms of analysis_feedback_themes are no PII, no customer's comment and no single customer's words, while
the generator's praise and complaint phrases are found."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from conftest import PipelineRun

#: the complaint rule of int_analysis__complaint_contacts, written again from its documentation: an offered contact
#: filed as a complaint or rated CSAT 1-2
RECOUNT = """
    select cast({period} as date) as period_start, {value} as dimension_value, count(*) as contacts,
           sum(case when issue_type = 'complaint' or csat <= 2 then 1 else 0 end) as complaints
    from marts.fct_contacts
    where is_offered
    group by all
"""


@pytest.fixture(scope="module")
def warehouse(built_sample: PipelineRun) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(built_sample.build_warehouse), read_only=True)
    con.execute("set enable_progress_bar = false")
    yield con
    con.close()


def _published(con: duckdb.DuckDBPyConnection, period_type: str, dimension: str) -> dict[tuple, tuple[int, int]]:
    rows = con.execute(
        """
        select period_start, dimension_value, contacts, complaint_contacts from marts.analysis_complaints
        where period_type = ? and dimension = ?
        """,
        [period_type, dimension],
    ).fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


@pytest.mark.parametrize(("period_type", "period", "dimension", "value"), [
    ("month", "date_trunc('month', arrived_date_local)", "channel", "channel"),
    ("week", "date_trunc('week', arrived_date_local)", "queue", "coalesce(queue_id, 'none')"),
    ("month", "date_trunc('month', arrived_date_local)", "issue_type", "coalesce(issue_type, 'none')"),
])
def test_complaint_counts_equal_a_recount_from_fct_contacts(
    warehouse: duckdb.DuckDBPyConnection, period_type: str, period: str, dimension: str, value: str,
) -> None:
    rows = warehouse.execute(RECOUNT.format(period=period, value=value)).fetchall()
    recount = {(r[0], r[1]): (r[2], r[3]) for r in rows}
    published = _published(warehouse, period_type, dimension)
    assert sum(c for _, c in recount.values()) > 1000, "the default sample should hold thousands of complaints"
    assert published == recount


def test_every_dimension_partitions_the_centre(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = warehouse.execute(
        """
        with totals as (
            select period_type, period_start, dimension, sum(contacts) as contacts,
                   sum(complaint_contacts) as complaints
            from marts.analysis_complaints group by all
        )
        select t.period_type, t.period_start, t.dimension, t.contacts, a.contacts, t.complaints, a.complaints
        from totals as t
        join totals as a
            on a.period_type = t.period_type and a.period_start = t.period_start and a.dimension = 'all'
        where t.contacts <> a.contacts or t.complaints <> a.complaints
        """
    ).fetchall()
    assert rows == []
    dimensions = warehouse.execute("select count(distinct dimension) from marts.analysis_complaints").fetchone()
    assert dimensions == (9,)


def _name_needles(raw_root: Path) -> tuple[set[str], set[str]]:
    """(English name parts of 3+ letters, Chinese names) of the roster's agents and the help desk's users, and the
    local parts of their e-mails: what a theme term must never be."""
    english, chinese = set(), set()
    sources = ((raw_root / "workforce" / "agents", ("full_name", "email", "username")),
               (raw_root / "helpdesk" / "user", ("name", "email")))
    for folder, fields in sources:
        for path in sorted(folder.glob("*.csv"))[-2:]:
            with path.open(newline="", encoding="utf-8", errors="replace") as handle:
                for row in csv.DictReader(handle):
                    for field in fields:
                        value = (row.get(field) or "").split("@")[0]
                        if re.search(r"[\u4e00-\u9fff]", value):
                            chinese.add(value.strip())
                        english |= {p.lower() for p in re.split(r"[^A-Za-z]+", value) if len(p) >= 3}
    return english, chinese


def _comments(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every survey comment as staged (the text the terms are counted in), lower case, punctuation as spaces."""
    comments = set()
    for (comment,) in con.execute("select distinct comment_text from staging.stg_survey__responses").fetchall():
        text = re.sub(r"[.,!?;:\"()。，！？；：、…]", " ", (comment or "").lower())
        if text.strip():
            comments.add(" ".join(text.split()))
    return comments


def test_theme_terms_are_no_pii_no_comment_and_never_one_customers(
    warehouse: duckdb.DuckDBPyConnection, built_sample: PipelineRun,
) -> None:
    themes = warehouse.execute(
        "select term, is_lexicon_term, term_customers from marts.analysis_feedback_themes"
    ).fetchall()
    assert len(themes) >= 50
    assert min(r[2] for r in themes) >= 5, "a term fewer than 5 customers used is shown"
    terms = {r[0] for r in themes}
    assert not [t for t in terms if re.search(r"[0-9@\[\]]", t)], "a digit, e-mail or mask reached a theme"
    english, chinese = _name_needles(built_sample.raw_root)
    assert len(english) > 50 and len(chinese) > 50, "the sample must hold names for this test to mean anything"
    assert not terms & english, f"a name part is a theme term: {sorted(terms & english)}"
    assert not [t for t in terms for name in chinese if len(name) >= 2 and name in t]
    frequent = {r[0] for r in themes if not r[1]}
    assert not frequent & _comments(warehouse), "a whole comment is published as a term"


def test_generator_praise_and_complaints_are_themes(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = warehouse.execute(
        """
        select feedback_type, text_source, list(term) from marts.analysis_feedback_themes
        where is_latest_month group by all
        """
    ).fetchall()
    found = {(r[0], r[1]): set(r[2]) for r in rows}
    # src/ccw/generate/text.py: positive and negative survey comments, the complaint tickets' subject
    assert {"friendly", "helpful", "耐心", "谢谢"} <= found[("praise", "survey_comment")]
    assert {"waited", "transferred", "not resolved", "没有解决"} <= found[("complaint", "survey_comment")]
    assert {"complaint", "投诉"} <= found[("complaint", "ticket_subject")]
    assert not found[("complaint", "survey_comment")] & {"friendly", "helpful", "resolved"}
