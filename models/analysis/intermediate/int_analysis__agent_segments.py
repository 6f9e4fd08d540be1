"""Agent segments: k-means on monthly agent KPIs standardised within each month, one set of centroids for all
months so that the same kind of agent keeps the same segment name from month to month. Rules in
_int_analysis__agent_segments.yml.

Reads with dbt.ref(...) through ccw.pymodels.to_pandas (rows in a deterministic order; libraries imported one at a
time: see that module) and returns a pandas DataFrame.
"""

import numpy as np
import pandas as pd

from ccw.pymodels import library, to_pandas

KMeans = library("sklearn.cluster").KMeans

#: feature -> (words when the segment is above / below the month's average)
FEATURES = {
    "live_aht_seconds": ("slow handling", "fast handling"),
    "fcr_rate": ("high FCR", "low FCR"),
    "csat_avg": ("high CSAT", "low CSAT"),
    "transfer_rate": ("many transfers", "few transfers"),
    "adherence": ("adherent", "low adherence"),
    "contacts_per_productive_hour": ("high throughput", "low throughput"),
}
#: a centroid coordinate (standard deviations from the month's mean) that is worth naming
NAMING_THRESHOLD_SD = 0.5
AGENT_COLUMNS = ["month", "agent_id", "team", "handled"]



def standardise_within_month(frame: pd.DataFrame) -> pd.DataFrame:
    """z-scores per month (population sd); a feature without spread or value in a month scores 0 (the mean). No
    eligible agent (e.g. a centre whose agents handle too few contacts, or none with agents at all): no scores."""
    if frame.empty:
        return pd.DataFrame(columns=list(FEATURES), dtype=float)
    grouped = frame.groupby("month")[list(FEATURES)]
    mean = grouped.transform("mean")
    sd = grouped.transform(lambda column: column.std(ddof=0))
    z = (frame[list(FEATURES)] - mean) / sd.where(sd > 0)
    return z.fillna(0.0)


def segment_label(centroid: pd.Series, words_used: int) -> str:
    ranked = centroid.abs().sort_values(ascending=False)
    parts = [
        FEATURES[name][0 if centroid[name] > 0 else 1]
        for name in ranked.index[:words_used]
        if abs(centroid[name]) >= NAMING_THRESHOLD_SD
    ]
    return ", ".join(parts) if parts else "balanced (near the month's average)"


def unique_labels(centroids: pd.DataFrame) -> list[str]:
    """The shortest readable name per centroid (its 2, then 3 ... strongest features) that no other centroid shares;
    a tie left after every feature gets a number."""
    for words_used in range(2, len(FEATURES) + 1):
        labels = [segment_label(row, words_used) for _, row in centroids.iterrows()]
        if len(set(labels)) == len(labels):
            return labels
    return [f"{label} ({i + 1})" for i, label in enumerate(labels)]


def profile_text(centroid: pd.Series) -> str:
    ranked = centroid.abs().sort_values(ascending=False)
    return "; ".join(
        f"{name} {centroid[name]:+.1f} sd" for name in ranked.index if abs(centroid[name]) >= NAMING_THRESHOLD_SD
    ) or "every KPI within 0.5 sd of the month's mean"


def model(dbt, session):
    dbt.config(materialized="table")
    segment_count = int(dbt.config.get("segment_count") or 4)
    min_handled = int(dbt.config.get("min_handled") or 50)

    months = to_pandas(dbt.ref("int_analysis__agent_months"), AGENT_COLUMNS + list(FEATURES))
    months["month"] = pd.to_datetime(months["month"]).dt.date
    for name in [*FEATURES, "handled"]:
        months[name] = pd.to_numeric(months[name], errors="coerce").astype(float)
    eligible = months[months["handled"] >= min_handled].reset_index(drop=True)
    ineligible = months[months["handled"] < min_handled].reset_index(drop=True)

    z = standardise_within_month(eligible)
    clusters = min(segment_count, len(eligible))
    if clusters >= 1:
        kmeans = KMeans(n_clusters=clusters, n_init=20, random_state=20261031).fit(z.to_numpy())
        centroids = pd.DataFrame(kmeans.cluster_centers_, columns=list(FEATURES))
        cluster = kmeans.labels_
    else:
        centroids = pd.DataFrame(columns=list(FEATURES))
        cluster = np.array([], dtype=int)
    labels = unique_labels(centroids)
    codes = [f"S{i + 1}" for i in range(len(labels))]
    # segment codes in a stable order: by label, so a re-run on the same data gives the same code to the same name
    order = sorted(range(len(labels)), key=lambda i: labels[i])
    code_of = {cluster_index: codes[rank] for rank, cluster_index in enumerate(order)}

    agents = eligible[AGENT_COLUMNS + list(FEATURES)].copy()
    agents["row_type"] = "agent"
    agents["is_segmented"] = True
    agents["segment_id"] = [code_of[c] for c in cluster]
    agents["segment"] = [labels[c] for c in cluster]
    agents["distance_to_centroid"] = np.sqrt(
        ((z.to_numpy() - centroids.to_numpy()[cluster]) ** 2).sum(axis=1)
    ) if len(cluster) else []
    for name in FEATURES:
        agents[f"{name}_z"] = z[name].to_numpy()
    agents["agents"] = 1
    agents["profile"] = None

    left_out = ineligible[AGENT_COLUMNS + list(FEATURES)].copy()
    left_out["row_type"] = "agent"
    left_out["is_segmented"] = False
    left_out["segment_id"] = None
    left_out["segment"] = None
    left_out["distance_to_centroid"] = np.nan
    for name in FEATURES:
        left_out[f"{name}_z"] = np.nan
    left_out["agents"] = 1
    left_out["profile"] = None

    profiles = []
    for (month, segment_id, segment), members in agents.groupby(["month", "segment_id", "segment"]):
        cluster_index = next(c for c, code in code_of.items() if code == segment_id)
        row = {
            "month": month, "agent_id": None, "team": None, "handled": members["handled"].sum(),
            "row_type": "segment_profile", "is_segmented": True, "segment_id": segment_id, "segment": segment,
            "distance_to_centroid": members["distance_to_centroid"].mean(), "agents": len(members),
            "profile": profile_text(centroids.iloc[cluster_index]),
        }
        for name in FEATURES:
            row[name] = members[name].mean()
            row[f"{name}_z"] = members[f"{name}_z"].mean()
        profiles.append(row)

    columns = [
        "row_type", "month", "agent_id", "team", "segment_id", "segment", "is_segmented", "agents", "handled",
        *FEATURES, *[f"{name}_z" for name in FEATURES], "distance_to_centroid", "profile",
    ]
    frames = [frame for frame in (agents, left_out, pd.DataFrame(profiles)) if len(frame)]
    result = pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    result["month"] = pd.to_datetime(result["month"]).dt.date.astype("date32[pyarrow]")
    result["agents"] = result["agents"].astype("int64")
    result["handled"] = result["handled"].astype("int64")
    result["is_segmented"] = result["is_segmented"].astype(bool)
    for name in ["agent_id", "team", "segment_id", "segment", "profile", "row_type"]:
        result[name] = result[name].astype("string")  # VARCHAR even on an empty frame; missing stays null
    return result
