"""The project's structure rules hold on its own dbt graph (tests/python/project_rules.py), with
the known exceptions of tests/structure_exceptions.yml, and the check fails on a violation.

The manifest is parsed with every connector input enabled (var enable_all_inputs), so the
connector models are checked too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from dbt_runner import BIN
from project_rules import Violation, load_exceptions, load_manifest, unexcused, violations

from mkpi.paths import project_root

pytestmark = pytest.mark.dbt

EXCEPTIONS = project_root() / "tests" / "structure_exceptions.yml"
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")
PROJECT_FILES += ("analyses", "snapshots", "catalog")


def parse(project: Path, work: Path) -> Path:
    """`dbt parse` of `project` with every input enabled: the manifest's path."""
    target = work / "target"
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(work),
        "DBT_PROFILES_DIR": str(project),
        "DBT_DUCKDB_PATH": str(work / "parse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [str(BIN / "dbt"), "parse", "--no-partial-parse", "--target-path", str(target)]
    command += ["--log-path", str(work / "logs"), "--vars", json.dumps({"enable_all_inputs": True})]
    result = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return target / "manifest.json"


def open_violations(manifest_path: Path) -> list[Violation]:
    return unexcused(load_manifest(manifest_path), load_exceptions(EXCEPTIONS))


@pytest.fixture(scope="module")
def project_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return parse(project_root(), tmp_path_factory.mktemp("structure"))


def test_the_project_keeps_its_rules(project_manifest: Path) -> None:
    assert open_violations(project_manifest) == []


def test_every_exception_is_still_needed(project_manifest: Path) -> None:
    found = {(v.rule, v.node, v.detail) for v in violations(load_manifest(project_manifest))}
    found_nodes = {(rule, node) for rule, node, _ in found}
    stale = [
        key
        for key in load_exceptions(EXCEPTIONS)
        if (key[2] == "*" and key[:2] not in found_nodes) or (key[2] != "*" and key not in found)
    ]
    assert stale == []


def test_a_deliberate_violation_fails(tmp_path: Path) -> None:
    """A copy of the project with a mart that reads a source, is not contracted, has no key
    test and no description, reads another area's intermediate model, and a public macro
    without a description: each rule reports it."""
    copy = tmp_path / "project"
    for name in PROJECT_FILES:
        source = project_root() / name
        if source.is_dir():
            shutil.copytree(source, copy / name)
        elif source.exists():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, copy / name)
    mart = copy / "models" / "marts" / "core" / "fct_rule_breaker.sql"
    mart.write_text(
        "select s.campaign_id, m.month\n"
        "from {{ source('marketing', 'campaigns') }} as s\n"
        "cross join {{ ref('int_mrr_months_aggregated') }} as m\n"
    )
    (copy / "macros" / "undocumented_helper.sql").write_text(
        "{% macro undocumented_helper() %}1{% endmacro %}\n"
    )
    staging = copy / "models" / "staging" / "marketing" / "stg_marketing__rule_breakers.sql"
    staging.write_text("select * from {{ ref('stg_marketing__costs') }}\n")
    found = set(open_violations(parse(copy, tmp_path)))
    assert found == {
        Violation(
            "source_outside_staging",
            "fct_rule_breaker",
            "source.marketing_kpis.marketing.campaigns",
        ),
        Violation("mart_without_contract", "fct_rule_breaker", "contract not enforced"),
        Violation("mart_without_key_test", "fct_rule_breaker", "no unique test"),
        Violation("model_without_description", "fct_rule_breaker", ""),
        Violation("mart_reads_other_area", "fct_rule_breaker", "int_mrr_months_aggregated"),
        Violation("macro_without_description", "undocumented_helper", ""),
        Violation("model_without_description", "stg_marketing__rule_breakers", ""),
        Violation("model_without_tests", "fct_rule_breaker", ""),
        Violation("model_without_tests", "stg_marketing__rule_breakers", ""),
        Violation(
            "staging_reads_other_entity", "stg_marketing__rule_breakers", "stg_marketing__costs"
        ),
    }
