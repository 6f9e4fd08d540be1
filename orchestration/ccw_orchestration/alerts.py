"""Run-failure alerts: a log line, a JSON file under ``<data dir>/alerts/``, and a POST to a webhook if set."""

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("ccw.alerts")


def error_text(error: Any, limit: int = 2000) -> str | None:
    """The messages of a Dagster error and its causes (the cause holds the real reason), one per line."""
    lines = []
    while error is not None and len(lines) < 5:
        lines.append(str(error.message).strip())
        error = error.cause or getattr(error, "context", None)
    text = "\n".join(line for line in lines if line)
    return text[:limit] if text else None


def alert_path(alerts_dir: Path, run_id: str, at: datetime) -> Path:
    return alerts_dir / f"{at.strftime('%Y%m%dT%H%M%SZ')}-{run_id[:8]}.json"


def post_json(url: str, payload: Mapping[str, Any], timeout: float = 10) -> int:
    """POST ``payload`` as JSON; the HTTP status (raises on a network error or an HTTP error status)."""
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "ccw-alerts"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the operator's own URL
        return int(response.status)


def write_alert(alerts_dir: Path, alert: Mapping[str, Any], webhook: str | None = None,
                at: datetime | None = None) -> Path:
    """Log the alert, write it to ``alerts_dir`` and POST it to ``webhook`` (a webhook failure is logged and
    recorded in the file, never raised: the alert file is the record of last resort)."""
    at = at or datetime.now(UTC)
    payload: dict[str, Any] = {"at": at.isoformat(), **alert}
    log.error("ccw run failed: %s", json.dumps(payload, default=str))
    if webhook:
        try:
            payload["webhook_status"] = post_json(webhook, payload)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            payload["webhook_error"] = f"{type(exc).__name__}: {exc}"
            log.warning("alert webhook %s failed: %s", webhook, exc)
    alerts_dir.mkdir(parents=True, exist_ok=True)
    path = alert_path(alerts_dir, str(alert.get("run_id", "unknown")), at)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return path
