"""`mkpi load-spark` opens the Spark session dbt's `spark` target opens: its settings come from
profiles.yml, rendered with the same environment variables (no Java needed here)."""

from __future__ import annotations

import pytest

from mkpi.loader import LoadError
from mkpi.spark import load, spark_settings


def test_settings_follow_the_profile_and_its_environment() -> None:
    settings = spark_settings({"MKPI_SPARK_DIR": "/data/spark", "MKPI_SPARK_CORES": "8"})
    assert settings["spark.sql.warehouse.dir"] == "/data/spark/warehouse"
    assert settings["spark.hadoop.javax.jdo.option.ConnectionURL"] == (
        "jdbc:derby:;databaseName=/data/spark/metastore_db;create=true"
    )
    assert settings["spark.master"] == "local[8]"
    assert settings["spark.sql.session.timeZone"] == "UTC"
    assert settings["spark.sql.ansi.enabled"] == "true"


def test_defaults_keep_everything_under_target() -> None:
    settings = spark_settings({})
    assert settings["spark.sql.warehouse.dir"] == "target/spark/warehouse"
    assert settings["spark.master"] == "local[2]"


def test_a_cluster_is_not_loaded_into(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "leads.csv").write_text("lead_id\n1\n", encoding="utf-8")
    monkeypatch.setenv("MKPI_SPARK_METHOD", "thrift")
    with pytest.raises(LoadError, match="local Spark session only"):
        load(tmp_path, "raw")
