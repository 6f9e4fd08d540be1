"""Buffered, day-bucketed writing of export files (DuckDB renders JSON lines, CSV and Parquet)."""

from __future__ import annotations

import contextlib
import os
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from ccw.exports import BY_TABLE, Entity
from ccw.generate import clock
from ccw.generate.formats import MACROS, RENDER

NULL_INT = np.iinfo(np.int64).min  # int64 columns use this for null


def to_arrow(cols: dict[str, object]) -> pa.Table:
    arrays = {}
    for name, values in cols.items():
        arr = np.asarray(values)
        if arr.dtype == object:
            arrays[name] = pa.array(arr, type=pa.string(), from_pandas=True)
        elif arr.dtype.kind in "iu":
            arr = arr.astype(np.int64)
            mask = arr == NULL_INT
            arrays[name] = pa.array(arr, mask=mask if mask.any() else None, type=pa.int64())
        elif arr.dtype.kind == "b":
            arrays[name] = pa.array(arr, type=pa.bool_())
        elif arr.dtype.kind in "US":
            arrays[name] = pa.array(arr.astype(object), type=pa.string())
        else:
            arrays[name] = pa.array(arr)
    return pa.table(arrays)


class DayWriter:
    """Collects rows per entity, each with an event time ``_t``, and writes one file per entity and export
    day (the UTC date of ``_t``, or an explicit ``_day``) once that day can receive no more rows."""

    def __init__(self, root: Path, first_day: date, n_days: int, threads: int = 1, batch_days: int = 7) -> None:
        self.root = root
        self.first_day = first_day
        self.n_days = n_days
        self.start = clock.epoch(first_day)
        self.con = duckdb.connect()
        self.con.execute(f"SET threads = {max(1, threads)}")
        self.con.execute("SET preserve_insertion_order = true")
        self.con.execute("SET enable_progress_bar = false")
        for m in MACROS:
            self.con.execute(m)
        self.buffers: dict[str, list[pa.Table]] = {}
        self.rows: dict[str, dict[int, int]] = {}
        self.written: set[tuple[str, int]] = set()
        self.seq = 0
        self.flushed_upto = -1
        self.complete_upto = -1
        self.batch_days = batch_days

    def day_of(self, t: np.ndarray) -> np.ndarray:
        return np.maximum(0, (np.asarray(t, np.int64) - self.start) // clock.DAY)

    def add(self, table: str, cols: dict[str, object]) -> None:
        n = len(cols["_t"])
        if n == 0:
            return
        cols = dict(cols)
        if "_day" not in cols:
            cols["_day"] = self.day_of(cols["_t"])
        else:
            cols["_day"] = np.maximum(0, np.asarray(cols["_day"], np.int64))
        cols.setdefault("_ord", cols["_t"])
        cols.setdefault("_sparse", np.zeros(n, bool))
        cols["_seq"] = np.arange(self.seq, self.seq + n, dtype=np.int64)
        self.seq += n
        if (np.asarray(cols["_day"]) <= self.flushed_upto).any():
            raise RuntimeError(f"{table}: rows for an export day that was already written")
        self.buffers.setdefault(table, []).append(to_arrow(cols))

    def flush(self, upto: int, force: bool = False) -> None:
        """Export days <= ``upto`` are complete; they are written in batches of ``batch_days``."""
        upto = min(upto, self.n_days - 1)
        self.complete_upto = max(self.complete_upto, upto)
        if not force and self.complete_upto - self.flushed_upto < self.batch_days:
            return
        upto = self.complete_upto
        for table, pieces in self.buffers.items():
            if not pieces:
                continue
            tbl = pa.concat_tables(pieces, promote_options="permissive") if len(pieces) > 1 else pieces[0]
            days = tbl.column("_day").to_numpy()
            due = days <= upto
            if not due.any():
                self.buffers[table] = [tbl]
                continue
            rest = tbl.filter(pa.array(~due))
            self.buffers[table] = [rest] if rest.num_rows else []
            self._write(table, tbl.filter(pa.array(due)))
        self.flushed_upto = max(self.flushed_upto, upto)

    def close(self) -> dict[str, dict[int, int]]:
        self.flush(self.n_days - 1, force=True)
        self.buffers = {}
        for table in RENDER:  # an entity without rows on a day still gets its (empty) file
            for d in range(self.n_days):
                if (table, d) not in self.written:
                    self._write_empty(table, d)
        self.con.close()
        return self.rows

    # ------------------------------------------------------------------------------------------ internals
    def path(self, table: str, d: int) -> Path:
        e = BY_TABLE[table]
        day = (self.first_day + timedelta(days=int(d))).isoformat()
        return e.file_path(self.root, day)

    def _write(self, table: str, tbl: pa.Table) -> None:
        """All due days of one entity with as few statements as possible: one COPY into a temporary file,
        sorted by day, then cut into the day files by line counts (parquet: one COPY per day)."""
        e = BY_TABLE[table]
        r = RENDER[table]
        self.con.register("_buf", tbl)
        try:
            if e.file_format == "parquet":
                for d in np.unique(tbl.column("_day").to_numpy()):
                    self.path(table, int(d)).parent.mkdir(parents=True, exist_ok=True)
                    n = self._copy(e, f"SELECT {r.select} FROM _buf WHERE _day = {int(d)} ORDER BY _ord, _seq",
                                   self.path(table, int(d)))
                    self._count(table, int(d), n)
                return
            source = "_buf"
            if r.reduce_key:
                source = (f"(SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY _day, {r.reduce_key} "
                          f"ORDER BY _ord DESC, _seq DESC) AS _rn FROM _buf) WHERE _rn = 1)")
            segments = []
            for sparse, select in ((False, r.select), (True, r.sparse)):
                if select is None:
                    continue
                cond = "_sparse" if sparse else "NOT _sparse"
                counts = self.con.execute(f"SELECT _day, count(*) FROM {source} WHERE {cond} GROUP BY _day "
                                          f"ORDER BY _day").fetchall()
                if not counts:
                    continue
                tmp = self.root / f".tmp-{table}-{int(sparse)}.{e.extension}"
                tmp.parent.mkdir(parents=True, exist_ok=True)
                self._copy(e, f"SELECT {select} FROM {source} WHERE {cond} ORDER BY _day, _ord, _seq", tmp,
                           transcode=False)
                segments.append((counts, tmp))
            pieces: dict[int, list[bytes]] = {}
            header = b""
            for counts, tmp in segments:
                data = tmp.read_bytes()
                tmp.unlink()
                ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10) + 1
                pos = 0
                if e.file_format == "csv":
                    header, pos = data[: ends[0]], 1
                starts = np.r_[0, ends]
                for d, n in counts:
                    lo, hi = starts[pos], starts[pos + n]
                    pieces.setdefault(int(d), []).append(data[lo:hi])
                    pos += n
            for d, parts in pieces.items():
                body = header + b"".join(parts)
                if e.encoding != "utf-8":
                    body = body.decode("utf-8").encode(e.encoding)
                path = self.path(table, d)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(body)
                self._count(table, d, sum(p.count(b"\n") for p in parts))
        finally:
            with contextlib.suppress(duckdb.Error):  # never hide the error that got us here
                self.con.unregister("_buf")

    def _count(self, table: str, d: int, n: int) -> None:
        self.rows.setdefault(table, {})[d] = self.rows.get(table, {}).get(d, 0) + n
        self.written.add((table, d))

    def _copy(self, e: Entity, query: str, path: Path, transcode: bool = True) -> int:
        if e.file_format == "jsonl":
            opts = "FORMAT json"
        elif e.file_format == "csv":
            opts = "FORMAT csv, HEADER true"
        else:
            opts = "FORMAT parquet"
        target = path if (e.encoding == "utf-8" or not transcode) else path.with_suffix(path.suffix + ".utf8")
        quoted = str(target).replace("'", "''")
        n = self.con.execute(f"COPY ({query}) TO '{quoted}' ({opts})").fetchall()[0][0]
        if target != path:
            path.write_bytes(target.read_bytes().decode("utf-8").encode(e.encoding))
            target.unlink()
        return int(n)

    def _write_empty(self, table: str, d: int) -> None:
        e = BY_TABLE[table]
        path = self.path(table, d)
        path.parent.mkdir(parents=True, exist_ok=True)
        if e.file_format == "jsonl":
            path.write_bytes(b"")
        elif e.file_format == "csv":
            path.write_bytes((",".join(e.columns) + "\n").encode(e.encoding))
        else:
            cols = ", ".join(f"CAST(NULL AS {t}) AS \"{c}\"" for c, t in e.columns.items())
            self.con.execute(f"COPY (SELECT {cols} LIMIT 0) TO '{path}' (FORMAT parquet)")
        self.rows.setdefault(table, {}).setdefault(d, 0)
        self.written.add((table, d))


def set_mtime(path: Path, when: int) -> None:
    os.utime(path, (when, when))
