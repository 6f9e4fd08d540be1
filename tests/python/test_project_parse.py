"""`ccw run` parses the dbt project again when a project file changed since its manifest (ccw.project_parse)."""

from __future__ import annotations

import os
from pathlib import Path

from ccw.project_parse import changed_since_parse, ensure_project_parsed, manifest_path


def _project(root: Path) -> Path:
    (root / "models" / "staging").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: x\n", encoding="utf-8")
    (root / "models" / "staging" / "stg_a.sql").write_text("select 1 as a\n", encoding="utf-8")
    manifest = manifest_path(root)
    manifest.parent.mkdir()
    manifest.write_text("{}", encoding="utf-8")
    return manifest


def _age(path: Path, seconds: float) -> None:
    """Set ``path``'s modification time ``seconds`` into the past."""
    at = path.stat().st_mtime - seconds
    os.utime(path, (at, at))


def test_a_file_newer_than_the_manifest_makes_the_project_changed(tmp_path: Path) -> None:
    manifest = _project(tmp_path)
    for path in [tmp_path / "dbt_project.yml", tmp_path / "models" / "staging" / "stg_a.sql"]:
        _age(path, 60)
    assert changed_since_parse(tmp_path) == []
    added = tmp_path / "models" / "staging" / "stg_b.sql"
    added.write_text("select 2 as b\n", encoding="utf-8")
    assert changed_since_parse(tmp_path) == [added]
    # what dbt does not read does not count: bytecode, a note outside the project's folders
    _age(added, 60)
    (tmp_path / "models" / "__pycache__").mkdir()
    (tmp_path / "models" / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"\0")
    (tmp_path / "notes.sql").write_text("-- not a model\n", encoding="utf-8")
    assert changed_since_parse(tmp_path) == []
    manifest.unlink()
    assert len(changed_since_parse(tmp_path)) == 3  # no manifest: every project file


def test_ensure_project_parsed_parses_once_and_only_when_changed(tmp_path: Path, capsys) -> None:
    manifest = _project(tmp_path)
    parsed: list[Path] = []

    def parse(root: Path) -> None:
        parsed.append(root)
        manifest.write_text("{}", encoding="utf-8")  # dbt writes the manifest again

    _age(tmp_path / "dbt_project.yml", 60)
    _age(tmp_path / "models" / "staging" / "stg_a.sql", 60)
    assert not ensure_project_parsed(tmp_path, parse)
    assert parsed == []
    _age(manifest, 120)  # a model edited after the last parse
    assert ensure_project_parsed(tmp_path, parse)
    assert parsed == [tmp_path]
    assert "models/staging/stg_a.sql" in capsys.readouterr().out
    assert not ensure_project_parsed(tmp_path, parse)
    assert parsed == [tmp_path]
