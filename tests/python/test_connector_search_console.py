"""The Search Console connector (docs/connectors.md section 8) on hand-written landings.

Each landing's expected `keyword_rankings` rows, rejects and reconciliation are worked out by hand
in the test; the plain-Python reference (reference/search_console.py) and the dbt build on DuckDB
must both give them. Landings: Fivetran's report table (with its `query` column, and an older
connection's `keyword` column without search_type), the bulk export's table, var
search_console_sites, and the one-line errors. Last, the sample company's landing
(`mkpi sample --shape connectors`) gives back the contract sample's keyword_rankings.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml
from dbt_runner import mkpi, run_dbt
from reference.connectors import ConnectorInputError, Reconciliation
from reference.search_console import search_console_to_contract

from mkpi.raw_contract import load_contract

pytestmark = pytest.mark.dbt

RAW_INPUTS = {"raw_inputs": {"keyword_rankings": ["search_console"]}}
# `dbt build` of the models and seeds the connector's rows reach (no data tests)
RUN = [
    "build", "--resource-type", "model", "--resource-type", "seed",
    "--select", "+stg_marketing__keyword_rankings", "+fct_connector_reconciliation",
]  # fmt: skip
REPORT = "keyword_site_report_by_site"
BULK = "searchdata_site_impression"
REPORT_HEADER = "date,site,query,country,device,search_type,impressions,position"
BULK_HEADER = (
    "data_date,site_url,query,is_anonymized_query,search_type,country,device,impressions,"
    "sum_top_position"
)
D1, D2, D3 = date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 3)
A, B = "https://a.io/", "https://b.io/"


def write(root: Path, name: str, header: str, rows: list[list[str]]) -> None:
    path = root / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header.split(","))
        writer.writerows(rows)


def landing(root: Path, table: str, header: str, rows: list[list[str]]) -> Path:
    """The Search Console table plus the other contract tables (header only) under files/."""
    for name, contract_table in load_contract().items():
        if name != "keyword_rankings":
            write(root, f"files/{name}", ",".join(contract_table.column_names), [])
    write(root, f"search_console/{table}", header, rows)
    return root


def report_landing(root: Path) -> Path:
    rows = [
        # 2024-03-01 'foo bar' over two sites, three countries and devices: (2 x 10 + 3 x 10) / 20
        # = 2.5 -> 3; the 0-impression row (position 50) weighs nothing; one row landed twice
        ["2024-03-01", A, "Foo Bar", "usa", "DESKTOP", "web", "10", "2"],
        ["2024-03-01", B, "FOO BAR ", "deu", "MOBILE", "WEB", "10", "3"],
        ["2024-03-01", B, "FOO BAR ", "deu", "MOBILE", "WEB", "10", "3"],
        ["2024-03-01", A, "foo bar", "fra", "TABLET", "web", "0", "50"],
        # 'cac': (2.49 x 100 + 4.2 x 50) / 150 = 459 / 150 = 3.06 -> 3
        ["2024-03-01", A, "cac", "usa", "DESKTOP", "web", "100", "2.49"],
        ["2024-03-01", A, "cac", "deu", "DESKTOP", "web", "50", "4.2"],
        # 'zero': no impressions at all: plain mean (3 + 4) / 2 = 3.5 -> 4
        ["2024-03-02", A, "zero", "usa", "DESKTOP", "web", "0", "3"],
        ["2024-03-02", A, "zero", "deu", "MOBILE", "web", "0", "4"],
        # anonymised (no query after trim) and other search types: rejected
        ["2024-03-02", A, "", "usa", "DESKTOP", "web", "5", "1"],
        ["2024-03-02", A, "  ", "deu", "DESKTOP", "web", "5", "1"],
        ["2024-03-02", A, "cac", "usa", "DESKTOP", "image", "5", "1"],
        ["2024-03-02", A, "cac", "usa", "MOBILE", "News", "5", "1"],
        # 'cac' on 03-02: (1.5 x 7 + 3.5 x 1) / 8 = 14 / 8 = 1.75 -> 2
        ["2024-03-02", A, "cac", "usa", "DESKTOP", "web", "7", "1.5"],
        ["2024-03-02", B, "cac", "gbr", "DESKTOP", "web", "1", "3.5"],
        # one row at exactly .5: 2.5 -> 3 (half up)
        ["2024-03-03", A, "ltv", "usa", "DESKTOP", "web", "3", "2.5"],
    ]
    landing(root, REPORT, REPORT_HEADER, rows)
    write(
        root,
        "files/money_keywords",
        "keyword,search_volume",
        [[" Foo Bar ", "1200"], ["CAC", ""], ["unused", "5"]],
    )
    return root


def ranking(ranked_on: date, keyword: str, position: int | None, money: bool, volume: int | None):
    return {
        "ranked_on": ranked_on,
        "keyword": keyword,
        "position": position,
        "is_money_keyword": money,
        "search_volume": volume,
    }


def key(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (r["ranked_on"], r["keyword"]))


def dbt_result(root: Path, work: Path, extra: dict | None = None) -> dict:
    """Build the landing; the connector's contract rows (typed back), the landed rows rejected
    per reason and the reconciliation row."""
    result, database = run_dbt(RUN, root, work, extra_vars={**RAW_INPUTS, **(extra or {})})
    assert result.returncode == 0, result.stdout[-4000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        contract = connection.sql(
            "select ranked_on, keyword, position, is_money_keyword, search_volume, landed_rows"
            " from staging.contract_search_console__keyword_rankings where reject_reason is null"
        ).fetchall()
        rejected = connection.sql(
            "select reject_reason, sum(landed_rows) from"
            " staging.contract_search_console__keyword_rankings"
            " where reject_reason is not null group by reject_reason"
        ).fetchall()
        reconciliation = connection.sql(
            "select input_name, landed_table, landed_rows, contract_rows, collapsed_rows,"
            " rejected_rows, is_reconciled from marts.fct_connector_reconciliation"
        ).fetchall()
        clean = connection.sql(
            "select ranked_on, keyword, ranking_position, is_money_keyword, search_volume"
            " from staging.stg_marketing__keyword_rankings"
        ).fetchall()
    rows = [
        ranking(
            date.fromisoformat(d) if d else None,
            k,
            int(p) if p is not None else None,
            {"true": True, "false": False}[m],
            int(v) if v is not None else None,
        )
        for d, k, p, m, v, _ in contract
    ]
    return {
        "rankings": key(rows),
        "landed_rows": {(r[0], r[1]): r[5] for r in contract},
        "rejected": {reason: int(n) for reason, n in rejected},
        "reconciliation": reconciliation,
        "clean": sorted(clean),
    }


REPORT_EXPECTED = key(
    [
        ranking(D1, "foo bar", 3, True, 1200),
        ranking(D1, "cac", 3, True, None),
        ranking(D2, "zero", 4, False, None),
        ranking(D2, "cac", 2, True, None),
        ranking(D3, "ltv", 3, False, None),
    ]
)


def test_report_table(tmp_path: Path) -> None:
    root = report_landing(tmp_path / "landing")
    reference = search_console_to_contract(root)
    assert key(reference.rankings) == REPORT_EXPECTED
    assert reference.rejected_rows_by_reason() == {"anonymised_query": 2, "not_web_search": 2}
    # 15 landed = 5 contract + (3 + 1 + 1 + 1 + 0) collapsed + 4 rejected
    expected_reconciliation = Reconciliation("search_console", REPORT, 15, 5, 6, 4)
    assert reference.reconciliation == expected_reconciliation

    built = dbt_result(root, tmp_path)
    assert built["rankings"] == REPORT_EXPECTED
    assert built["landed_rows"] == {
        ("2024-03-01", "foo bar"): 4,
        ("2024-03-01", "cac"): 2,
        ("2024-03-02", "zero"): 2,
        ("2024-03-02", "cac"): 2,
        ("2024-03-03", "ltv"): 1,
    }
    assert built["rejected"] == {"anonymised_query": 2, "not_web_search": 2}
    assert built["reconciliation"] == [(*expected_reconciliation, True)]
    # every contract row is clean in the contract's staging
    assert built["clean"] == sorted(
        (r["ranked_on"], r["keyword"], r["position"], r["is_money_keyword"], r["search_volume"])
        for r in REPORT_EXPECTED
    )


def test_sites_var_keeps_only_the_listed_sites(tmp_path: Path) -> None:
    root = report_landing(tmp_path / "landing")
    sites = ["https://A.io/"]
    expected = key(
        [
            ranking(D1, "foo bar", 2, True, 1200),  # rows of b.io left: (2 x 10 + 50 x 0) / 10
            ranking(D1, "cac", 3, True, None),
            ranking(D2, "zero", 4, False, None),
            ranking(D2, "cac", 2, True, None),  # 1.5 alone -> 2
            ranking(D3, "ltv", 3, False, None),
        ]
    )
    reference = search_console_to_contract(root, sites=sites)
    assert key(reference.rankings) == expected
    rejected = {"anonymised_query": 2, "not_web_search": 2, "site_not_selected": 3}
    assert reference.rejected_rows_by_reason() == rejected
    reconciliation = Reconciliation("search_console", REPORT, 15, 5, 3, 7)
    assert reference.reconciliation == reconciliation

    built = dbt_result(root, tmp_path, {"search_console_sites": sites})
    assert built["rankings"] == expected
    assert built["rejected"] == rejected
    assert built["reconciliation"] == [(*reconciliation, True)]


def test_keyword_column_of_older_connections(tmp_path: Path) -> None:
    """`keyword` instead of `query`, no search_type column (= web), no money_keywords file (the
    seed, header only: no money keywords)."""
    root = landing(
        tmp_path / "landing",
        REPORT,
        "date,site,keyword,country,device,impressions,position",
        [
            # (1.5 x 30 + 3.5 x 10) / 40 = 80 / 40 = 2
            ["2024-04-01T00:00:00Z", "sc-domain:a.io", "Roas Tool", "usa", "DESKTOP", "30", "1.5"],
            ["2024-04-01", "sc-domain:a.io", "roas tool", "deu", "MOBILE", "10", "3.5"],
            ["2024-04-01", "sc-domain:a.io", "", "usa", "DESKTOP", "4", "9"],
        ],
    )
    expected = [ranking(date(2024, 4, 1), "roas tool", 2, False, None)]
    reference = search_console_to_contract(root)
    assert reference.rankings == expected
    assert reference.rejected_rows_by_reason() == {"anonymised_query": 1}
    reconciliation = Reconciliation("search_console", REPORT, 3, 1, 1, 1)
    assert reference.reconciliation == reconciliation

    built = dbt_result(root, tmp_path)
    assert built["rankings"] == expected
    assert built["rejected"] == {"anonymised_query": 1}
    assert built["reconciliation"] == [(*reconciliation, True)]


def test_bulk_export_table(tmp_path: Path) -> None:
    root = landing(
        tmp_path / "landing",
        BULK,
        BULK_HEADER,
        [
            # 'crm': (2 + 4) / (4 + 4) + 1.5 = 2.25 -> 2; the 0-impression row weighs nothing
            ["2024-05-01", "sc-domain:a.io", "CRM", "false", "WEB", "usa", "MOBILE", "4", "2"],
            ["2024-05-01", "sc-domain:a.io", "crm", "false", "WEB", "deu", "MOBILE", "4", "4"],
            ["2024-05-01", "sc-domain:a.io", "crm", "false", "WEB", "fra", "MOBILE", "0", "0"],
            # 'seo': 3 / 2 + 1.5 = 3 (one-based 2.5, rounded half up)
            ["2024-05-01", "sc-domain:a.io", "seo", "", "WEB", "usa", "MOBILE", "2", "3"],
            # anonymised: no query, or flagged
            ["2024-05-01", "sc-domain:a.io", "", "true", "WEB", "usa", "MOBILE", "50", "10"],
            ["2024-05-01", "sc-domain:a.io", "secret", "TRUE", "WEB", "deu", "MOBILE", "5", "0"],
            ["2024-05-01", "sc-domain:a.io", "crm", "false", "IMAGE", "usa", "MOBILE", "5", "0"],
            # no impressions at all: no position (the contract rejects the row)
            ["2024-05-02", "sc-domain:a.io", "nobody", "false", "WEB", "usa", "MOBILE", "0", "0"],
        ],
    )
    write(root, "files/money_keywords", "keyword,search_volume", [["crm", "800"]])
    expected = key(
        [
            ranking(date(2024, 5, 1), "crm", 2, True, 800),
            ranking(date(2024, 5, 1), "seo", 3, False, None),
            ranking(date(2024, 5, 2), "nobody", None, False, None),
        ]
    )
    reference = search_console_to_contract(root)
    assert key(reference.rankings) == expected
    assert reference.rejected_rows_by_reason() == {"anonymised_query": 2, "not_web_search": 1}
    reconciliation = Reconciliation("search_console", BULK, 8, 3, 2, 3)
    assert reference.reconciliation == reconciliation

    built = dbt_result(root, tmp_path)
    assert built["rankings"] == expected
    assert built["rejected"] == {"anonymised_query": 2, "not_web_search": 1}
    assert built["reconciliation"] == [(*reconciliation, True)]
    # the row without a position is rejected by the contract; the others are clean
    assert [row[1] for row in built["clean"]] == ["crm", "seo"]


def test_report_wins_when_both_tables_are_landed(tmp_path: Path) -> None:
    root = report_landing(tmp_path / "landing")
    write(root, f"search_console/{BULK}", BULK_HEADER, [
        ["2024-05-01", "sc-domain:a.io", "crm", "false", "WEB", "usa", "MOBILE", "4", "2"],
    ])  # fmt: skip
    assert search_console_to_contract(root).landed_table == REPORT
    built = dbt_result(root, tmp_path)
    assert built["rankings"] == REPORT_EXPECTED
    assert [row[1] for row in built["reconciliation"]] == [REPORT]


@pytest.mark.parametrize(
    ("table", "header", "message"),
    [
        (
            REPORT,
            "date,site,query,country,device,search_type,position",
            "search_console: table 'keyword_site_report_by_site' is missing column 'impressions'",
        ),
        (
            REPORT,
            "date,site,country,device,search_type,impressions,position",
            "search_console: table 'keyword_site_report_by_site' is missing column 'query'",
        ),
        (
            BULK,
            "data_date,site_url,query,search_type,country,device,impressions,sum_top_position",
            "search_console: table 'searchdata_site_impression' is missing column"
            " 'is_anonymized_query'",
        ),
        (
            None,
            "",
            "search_console: neither table 'keyword_site_report_by_site' nor"
            " 'searchdata_site_impression' found",
        ),
    ],
)
def test_missing_table_or_column_is_one_line(
    tmp_path: Path, table: str | None, header: str, message: str
) -> None:
    root = tmp_path / "landing"
    if table is None:
        landing(root, REPORT, REPORT_HEADER, [])
        (root / "search_console" / f"{REPORT}.csv").unlink()
    else:
        landing(root, table, header, [["x"] * len(header.split(","))])
    with pytest.raises(ConnectorInputError) as raised:
        search_console_to_contract(root)
    assert str(raised.value).startswith(message)
    result, _ = run_dbt(
        ["run", "--select", "+contract_search_console__keyword_rankings"],
        root,
        tmp_path,
        extra_vars=RAW_INPUTS,
    )
    assert result.returncode != 0
    assert message in result.stdout, result.stdout[-3000:]


# --- the sample company's landing ------------------------------------------------------------


SAMPLE = ["--leads", "300", "--months", "6"]


def test_sample_landing_gives_back_the_contract_rankings(tmp_path: Path) -> None:
    """`mkpi sample --shape connectors`: Search Console rows (split over sites, countries and
    devices, with anonymised, image / news and 0-impression rows) give back the contract sample's
    keyword_rankings rows: ranked_on, keyword, position and is_money_keyword exactly; search
    volume as files/money_keywords.csv lists it (one volume per money keyword, NULL for others)."""
    mkpi("sample", *SAMPLE, "--out", str(tmp_path / "contract"))
    mkpi("sample", *SAMPLE, "--shape", "connectors", "--out", str(tmp_path / "landing"))
    root = tmp_path / "landing"
    selection = yaml.safe_load((root / "raw_inputs.yml").read_text(encoding="utf-8"))
    assert selection["raw_inputs"]["keyword_rankings"] == ["search_console"]
    assert not (root / "files" / "keyword_rankings.csv").exists()

    with (tmp_path / "contract" / "keyword_rankings.csv").open(encoding="utf-8") as handle:
        contract = list(csv.DictReader(handle))
    with (root / "files" / "money_keywords.csv").open(encoding="utf-8") as handle:
        volumes = {r["keyword"]: int(r["search_volume"]) for r in csv.DictReader(handle)}
    money = {r["keyword"] for r in contract if r["is_money_keyword"] == "true"}
    assert set(volumes) == money and len(money) == 15
    expected = sorted(
        (
            date.fromisoformat(r["ranked_on"]),
            r["keyword"],
            int(r["position"]),
            r["is_money_keyword"] == "true",
            volumes.get(r["keyword"]),
        )
        for r in contract
    )

    reference = search_console_to_contract(root)
    assert sorted(tuple(r.values()) for r in reference.rankings) == expected
    reasons = reference.rejected_rows_by_reason()
    assert reasons["anonymised_query"] > 0 and reasons["not_web_search"] > 0

    result, database = run_dbt(RUN, root, tmp_path, extra_vars=selection)
    assert result.returncode == 0, result.stdout[-4000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        built = connection.sql(
            "select ranked_on, keyword, ranking_position, is_money_keyword, search_volume"
            " from staging.stg_marketing__keyword_rankings"
        ).fetchall()
        reconciliation = connection.sql(
            "select landed_rows, contract_rows, collapsed_rows, rejected_rows, is_reconciled"
            " from marts.fct_connector_reconciliation where input_name = 'search_console'"
        ).fetchall()
    assert sorted(built) == expected
    assert reconciliation == [(*reference.reconciliation[2:], True)]
    assert reference.reconciliation.collapsed_rows > 0
