"""The list of raw tables is written once, in the marketing sources YAML; Python reads it there
(mkpi.raw_contract) and dbt's `raw_table_names()` macro, which models need at parse time, must
repeat it exactly."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from mkpi.paths import project_root
from mkpi.raw_contract import load_contract, raw_table_names, sources_yaml_path

MACRO_FILE = Path("macros") / "raw" / "register_raw_tables.sql"


def _macro_list() -> list[str]:
    """The list literal `raw_table_names()` returns, read from the macro's source text."""
    text = (project_root() / MACRO_FILE).read_text(encoding="utf-8")
    body = re.search(
        r"{%\s*macro raw_table_names\(\)\s*%}(.*?){%\s*endmacro\s*%}", text, flags=re.S
    )
    assert body, f"{MACRO_FILE}: macro raw_table_names() not found"
    literal = re.search(r"return\((\[.*?\])\)", body.group(1), flags=re.S)
    assert literal, f"{MACRO_FILE}: raw_table_names() does not return a list literal"
    return list(ast.literal_eval(literal.group(1)))


def test_dbt_macro_lists_the_sources_tables_in_order() -> None:
    assert _macro_list() == list(raw_table_names())


def test_raw_tables_are_the_required_tables_of_the_marketing_source() -> None:
    document = yaml.safe_load(sources_yaml_path().read_text(encoding="utf-8"))
    (source,) = [s for s in document["sources"] if s["name"] == "marketing"]
    required = [t["name"] for t in source["tables"] if not (t.get("meta") or {}).get("optional")]
    optional = [t["name"] for t in source["tables"] if (t.get("meta") or {}).get("optional")]
    assert raw_table_names() == tuple(required)
    assert "campaign_mapping" in optional
    assert "campaign_mapping" not in raw_table_names()
    assert list(load_contract()) == required


def test_a_table_added_to_the_sources_file_is_a_raw_table(tmp_path: Path) -> None:
    document = yaml.safe_load(sources_yaml_path().read_text(encoding="utf-8"))
    (source,) = [s for s in document["sources"] if s["name"] == "marketing"]
    source["tables"].insert(
        2, {"name": "web_sessions", "columns": [{"name": "session_id", "data_type": "text"}]}
    )
    copy = tmp_path / "_marketing__sources.yml"
    copy.write_text(yaml.safe_dump(document), encoding="utf-8")
    names = raw_table_names(copy)
    assert names[:3] == (*raw_table_names()[:2], "web_sessions")
    assert len(names) == len(raw_table_names()) + 1
    assert load_contract(copy)["web_sessions"].column_names == ["session_id"]
