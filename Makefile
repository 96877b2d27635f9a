# Two commands for a new user (see README): `make demo` and `make test`.
# Everything else here is what those two call.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export MKPI_PG_PORT ?= 55432

.PHONY: demo test setup lint sqlfluff ruff mypy generate-check build-duckdb build-postgres \
	load-and-build-postgres build-spark pytest benchmark clean

## demo: set everything up and build the project on the bundled sample data (DuckDB)
demo: setup
	$(BIN)/mkpi demo

## test: everything CI runs. PostgreSQL stays up through pytest, which compares both builds;
## pytest also builds the sample and the dirty set on Spark (tests/python/test_spark.py).
test: setup lint generate-check
	MKPI_REQUIRE_POSTGRES=1 MKPI_REQUIRE_SPARK=1 bash scripts/postgres.sh run -- \
	  $(MAKE) build-duckdb load-and-build-postgres pytest
	@echo "make test: all checks passed"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-input -r requirements.txt
	$(BIN)/pip install --quiet --no-input --no-deps -e .
	touch $(STAMP)

lint: ruff mypy sqlfluff

ruff: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

# strict on the product code; mkpi.devtools is not reported (pyproject.toml [tool.mypy])
mypy: setup
	$(BIN)/mypy

# the connector models are disabled unless var raw_inputs selects them (sqlfluff skips disabled
# models): a second pass lints them, and what reads them, with every input enabled
CONNECTOR_SQL := models/staging/hubspot models/staging/google_ads models/staging/facebook_ads \
	models/staging/linkedin_ads models/staging/ga4 models/staging/search_console \
	models/staging/stripe models/staging/shopify models/staging/marketing models/marts/data_quality tests/dbt/staging

sqlfluff: setup
	$(BIN)/sqlfluff lint models tests/dbt analyses --processes 2
	$(BIN)/sqlfluff lint $(CONNECTOR_SQL) --config .sqlfluff-all-inputs --processes 2

generate-check: setup
	$(BIN)/mkpi generate --check

# CI builds from scratch (--full-refresh): a database left by an older checkout must not decide
# what an incremental model does; test_incremental.py covers incremental runs
build-duckdb: setup
	DBT_DUCKDB_PATH=$(CURDIR)/target/ci.duckdb $(BIN)/dbt build --full-refresh --target duckdb --target-path target/ci-duckdb

load-and-build-postgres: setup
	$(BIN)/mkpi load-postgres --dir data/sample
	$(BIN)/dbt build --full-refresh --target postgres --target-path target/ci-postgres

build-postgres: setup
	bash scripts/postgres.sh run -- $(MAKE) load-and-build-postgres

## build-spark: the sample on Spark in this process (dbt-spark session; load-spark installs Java 17 if missing)
build-spark: setup
	$(BIN)/mkpi load-spark --dir data/sample
	$(BIN)/dbt build --target spark --target-path target/spark-build

# two workers, one test module each (module fixtures build once): about 11 min instead of 18
pytest: setup
	bash scripts/install_chromium.sh
	bash scripts/java.sh
	$(BIN)/pytest -n 2 --dist loadfile --durations=15

## benchmark: time the build at 10k/100k/1M leads against raw SQL, PostgreSQL and Spark (writes BENCHMARKS.md)
benchmark: setup
	$(BIN)/mkpi benchmark --postgres --spark $(BENCHMARK_ARGS)

clean:
	bash scripts/postgres.sh stop || true
	rm -rf target logs /tmp/mkpi-pg-$(MKPI_PG_PORT) /tmp/mkpi-pg-$(MKPI_PG_PORT).lock
