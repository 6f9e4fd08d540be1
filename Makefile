# Contact Center Warehouse. `make run` and `make test` each do all of their own set-up.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ccw-installed
SPARK_STAMP := $(VENV)/.ccw-spark-installed
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: setup spark-setup run test lint generate land build docs benchmark lock clean dagster metrics spark-check

# uv (from PyPI, pinned in requirements.lock) installs the same pinned packages as pip, bytecode compiled as pip does,
# in about half the time on a clean machine (every package of `make test`, empty caches, 2026-12-05: 43 s against
# pip's 78 s); pip installs them when uv cannot be had
INSTALL = $$(test -x $(BIN)/uv && echo $(BIN)/uv pip install --python $(BIN)/python --compile-bytecode \
	|| echo $(BIN)/python -m pip install) --quiet -c requirements.lock

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet -c requirements.lock uv \
		|| $(BIN)/python -m pip install --quiet --upgrade pip
	@echo "installing the project and its pinned packages (requirements.lock) into $(VENV)"
	@$(INSTALL) -e '.[dev]'
	@touch $(STAMP)

# with the build file named as the Dagster dbt step names it (profiles.yml), so that its runs parse only what changed
target/manifest.json: $(STAMP) dbt_project.yml profiles.yml $(shell find models macros seeds tests/dbt -type f 2>/dev/null)
	CCW_DBT_DUCKDB_PATH=warehouse.duckdb $(BIN)/dbt parse --quiet

setup: $(STAMP) target/manifest.json

# Apache Spark for the tests and the check on Spark (issue 20, docs/spark.md): Java 17 from apt when `java` is
# missing, the packages of the `spark` extra of pyproject.toml (not the editable project again), pinned in requirements.lock
$(SPARK_STAMP): $(STAMP)
	@test -n "$(NO_APT)" || command -v java >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless) \
		|| echo "Java could not be installed: the Spark build of the tests will skip (it says why)"
	@echo "installing the spark extra (pinned in requirements.lock) into $(VENV)"
	@$(INSTALL) 'dbt-spark[session]' pyspark sqlglot && touch $(SPARK_STAMP) \
		|| echo "the spark extra could not be installed: the Spark build of the tests will skip (it says why)"
	@# pyspark comes as a source distribution only, and uv builds it into a new cache revision on every clean
	@# install (0.5-1.4 GB each): 34 GB of stale revisions had filled this machine's disk during a CI run (2026-12-07).
	@# Pruning removes only what no install can use again.
	@test ! -x $(BIN)/uv || $(BIN)/uv cache prune --quiet || true

spark-setup: setup $(SPARK_STAMP)

run: setup ## the whole pipeline on the built-in sample
	$(BIN)/ccw run

# Chromium and Java (when missing) install with apt beside the Python packages, and the spark extra beside dbt's
# parse: on a clean machine the set-up took 118 s before (2026-12-05)
test: ## every test of the project (sqlfluff and the Spark build included)
	@scripts/system_packages.sh & apt=$$!; $(MAKE) --no-print-directory -j2 spark-setup NO_APT=1; status=$$?; \
		wait $$apt; exit $$status
	$(BIN)/ruff check src orchestration models tests/python tests/sqlfluff benchmarks scripts
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check src orchestration models tests/python tests/sqlfluff benchmarks scripts
	$(BIN)/python tests/sqlfluff/lint.py lint --processes 2 models macros tests/dbt

generate: setup
	$(BIN)/ccw generate

land: setup
	$(BIN)/ccw land

build: setup
	$(BIN)/ccw build

docs: setup
	$(BIN)/dbt docs generate

metrics: setup ## a metric table from the semantic layer, read-only on the serving file (after make run)
	$(BIN)/ccw metrics query --metrics offered,service_level,asa_seconds,aht_seconds,fcr_rate,csat_avg \
		--group-by metric_time__month,contact__channel

DAGSTER_HOME ?= $(CURDIR)/data/dagster
dagster: setup ## the Dagster UI on http://localhost:3000: lineage, checks, schedule, sensors, backfills
	mkdir -p $(DAGSTER_HOME) && (test -f $(DAGSTER_HOME)/dagster.yaml || cp orchestration/dagster.yaml $(DAGSTER_HOME)/)
	PATH="$(CURDIR)/$(BIN):$$PATH" DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev -m ccw_orchestration.definitions

spark-check: spark-setup ## the tiny preset built on DuckDB and on Spark, every table compared (docs/spark.md)
	$(BIN)/python scripts/spark_check.py

benchmark: setup
	$(BIN)/python benchmarks/bench_generate.py

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^contact-center-warehouse' > requirements.lock

clean:
	rm -rf target logs data
