"""The connector reference (reference/connectors.py) on small hand-written landings.

Each test writes the landed tables it needs into tmp_path and states the expected contract rows,
rejects and counts worked out by hand from docs/connectors.md (sections 4-6).
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from reference.connectors import (
    ConnectorInputError,
    Options,
    Reconciliation,
    Rejected,
    Result,
    Unmatched,
    landing_to_contract,
    parse_bool,
    parse_timestamp,
    plain_id,
    url_parameter,
    utm_pair,
)

CONTACT = (
    "id,_fivetran_deleted,property_hs_merged_object_ids,property_createdate,property_email,"
    "property_hs_analytics_source,property_hs_analytics_first_url,"
    "property_hs_lifecyclestage_marketingqualifiedlead_date,"
    "property_hs_lifecyclestage_salesqualifiedlead_date,property_hs_lifecyclestage_customer_date"
)
DEAL = (
    "deal_id,is_deleted,_fivetran_deleted,deal_pipeline_stage_id,property_createdate,"
    "property_closedate,property_amount,property_deal_currency_code"
)
STAGE = "stage_id,closed_won,is_closed,probability"
STAGES = [["won", "true", "true", "1.0"], ["lost", "false", "true", "0"], ["open", "f", "f", "0.2"]]
CREATED = "2024-01-01T00:00:00"
GOOGLE_CAMPAIGN = (
    "id,updated_at,name,customer_id,advertising_channel_type,start_date,end_date,_fivetran_synced"
)
GOOGLE_STATS = "id,customer_id,date,device,cost_micros,impressions,clicks"
GOOGLE_ACCOUNT = "id,updated_at,currency_code"
META_CAMPAIGN = "id,updated_time,name,account_id,start_time,stop_time"
LINKEDIN_CAMPAIGN = "id,last_modified_time,name,account_id,run_schedule_start,run_schedule_end"
LINKEDIN_STATS = "campaign_id,day,cost_in_local_currency,cost_in_usd,impressions,clicks"


def write(root: Path, name: str, header: str, rows: list[list[str]]) -> None:
    """`<root>/<name>.csv` with a header row (comma-separated names) and the rows."""
    path = root / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header.split(","))
        writer.writerows(rows)


def contact(
    contact_id: str,
    created: str = CREATED,
    *,
    deleted: str = "",
    merged: str = "",
    email: str = "",
    source: str = "",
    url: str = "",
    mql: str = "",
    sql: str = "",
    customer: str = "",
) -> list[str]:
    return [contact_id, deleted, merged, created, email, source, url, mql, sql, customer]


def deal(
    deal_id: str,
    stage: str = "open",
    *,
    is_deleted: str = "",
    fivetran_deleted: str = "",
    created: str = "2024-02-01T00:00:00",
    closed: str = "",
    amount: str = "100",
    currency: str = "EUR",
) -> list[str]:
    return [deal_id, is_deleted, fivetran_deleted, stage, created, closed, amount, currency]


def hubspot(
    root: Path,
    contacts: list[list[str]],
    deals: list[list[str]] | None = None,
    deal_contacts: list[list[str]] | None = None,
    stages: list[list[str]] | None = None,
    merged_deals: list[list[str]] | None = None,
    contact_header: str = CONTACT,
) -> None:
    write(root, "hubspot/contact", contact_header, contacts)
    write(root, "hubspot/deal", DEAL, deals or [])
    write(root, "hubspot/deal_contact", "deal_id,contact_id,type_id", deal_contacts or [])
    write(root, "hubspot/deal_pipeline_stage", STAGE, STAGES if stages is None else stages)
    if merged_deals is not None:
        write(root, "hubspot/merged_deal", "deal_id,merged_deal_id", merged_deals)


def leads_by_id(result: Result) -> dict[str | None, dict]:
    return {lead["lead_id"]: lead for lead in result.leads}


def deals_by_id(result: Result) -> dict[str | None, dict]:
    return {row["deal_id"]: row for row in result.deals}


def costs_by(result: Result) -> dict[tuple[str | None, date | None], dict]:
    return {(row["campaign_id"], row["cost_date"]): row for row in result.costs}


def assert_identity(result: Result) -> None:
    for row in result.reconciliation:
        assert row.landed_rows == row.contract_rows + row.collapsed_rows + row.rejected_rows, row


# --- typing ----------------------------------------------------------------------------------


def test_boolean_parsing_decides_deleted_contacts(tmp_path: Path) -> None:
    flags = ["TRUE", "t", "1", "Yes", "false", "F", "0", "no", "", "maybe"]
    hubspot(tmp_path, [contact(str(n), deleted=flag) for n, flag in enumerate(flags, 1)])
    result = landing_to_contract(tmp_path, Options())
    assert sorted(result.rejected) == [
        Rejected("hubspot.contact", str(n), "deleted_in_source") for n in (1, 2, 3, 4)
    ]
    # empty and unreadable are NULL, which is false
    assert sorted(leads_by_id(result), key=int) == [str(n) for n in range(5, 11)]
    assert [parse_bool(v) for v in ("YES", "No", "T", "f", "", None, "2")] == [
        True, False, True, False, None, None, None,
    ]  # fmt: skip


def test_timestamps_iso_with_t_or_space_fraction_and_offset_to_utc(tmp_path: Path) -> None:
    stamps = {
        "1": ("2024-03-01T10:00:00", datetime(2024, 3, 1, 10)),
        "2": ("2024-03-01 10:00:00", datetime(2024, 3, 1, 10)),
        "3": ("2024-03-01T12:30:00+02:30", datetime(2024, 3, 1, 10)),
        "4": ("2024-03-01T10:00:00.123456Z", datetime(2024, 3, 1, 10, 0, 0, 123456)),
        "5": ("2024-03-01T05:00:00-0500", datetime(2024, 3, 1, 10)),
        "6": ("2024-03-01 10:00:00.5 +00:00", datetime(2024, 3, 1, 10, 0, 0, 500000)),
        "7": ("2024-02-29T23:00:00-01:00", datetime(2024, 3, 1, 0)),
        "8": ("2024-03-01", datetime(2024, 3, 1)),
        "9": ("next tuesday", None),
        "10": ("2024-02-30T10:00:00", None),
    }
    hubspot(tmp_path, [contact(key, value) for key, (value, _) in stamps.items()])
    leads = leads_by_id(landing_to_contract(tmp_path, Options()))
    assert {key: lead["created_at"] for key, lead in leads.items()} == {
        key: expected for key, (_, expected) in stamps.items()
    }
    assert parse_timestamp("2024-03-01T10:00") == datetime(2024, 3, 1, 10)


def test_unparseable_required_value_is_null_and_not_a_clean_lead(tmp_path: Path) -> None:
    hubspot(
        tmp_path,
        [contact("1", "yesterday"), contact("2")],
        deals=[deal("D1"), deal("D2")],
        deal_contacts=[["D1", "1", "3"], ["D2", "1", "3"], ["D2", "2", "3"]],
    )
    result = landing_to_contract(tmp_path, Options())
    assert leads_by_id(result)["1"]["created_at"] is None  # emitted: the contract rejects it
    assert result.clean_lead_ids == {"2"}
    assert deals_by_id(result)["D1"]["lead_id"] is None
    assert deals_by_id(result)["D2"]["lead_id"] == "2"


def test_numeric_ids_are_plain_integers(tmp_path: Path) -> None:
    hubspot(
        tmp_path,
        [contact("123.0", merged="7.0; 8"), contact("7"), contact(" 0045 ")],
        deals=[deal("55.0")],
        deal_contacts=[["55", "7.00", "3"]],
    )
    result = landing_to_contract(tmp_path, Options())
    assert sorted(leads_by_id(result)) == ["123", "45"]
    assert result.rejected == [Rejected("hubspot.contact", "7", "merged_away")]
    assert result.deals[0]["deal_id"] == "55"
    assert result.deals[0]["lead_id"] == "123"
    assert [plain_id(v) for v in ("1.0", "9935249409", "1e3", "12.5", "abc", " ")] == [
        "1", "9935249409", "1000", "12.5", "abc", None,
    ]  # fmt: skip


def test_parquet_is_read_as_text_and_wins_over_csv(tmp_path: Path) -> None:
    hubspot(tmp_path, [contact("999")])  # the CSV is ignored when the Parquet file exists
    target = tmp_path / "hubspot" / "contact.parquet"
    duckdb.sql(
        f"""
        copy (
            select
                cast(123 as double) as id,
                true as _fivetran_deleted,
                cast(null as varchar) as property_hs_merged_object_ids,
                timestamptz '2024-03-01 12:00:00+02' as property_createdate,
                ' a@b.com ' as property_email,
                'DIRECT_TRAFFIC' as property_hs_analytics_source,
                cast(null as varchar) as property_hs_analytics_first_url,
                cast(null as timestamp) as property_hs_lifecyclestage_marketingqualifiedlead_date,
                cast(null as timestamp) as property_hs_lifecyclestage_salesqualifiedlead_date,
                timestamp '2024-04-01 00:00:00' as property_hs_lifecyclestage_customer_date
            union all
            select 124.0, false, null, timestamptz '2024-03-01 12:00:00+02', ' a@b.com ',
                'DIRECT_TRAFFIC', null, null, null, timestamp '2024-04-01 00:00:00'
        ) to '{target}' (format parquet)
        """
    )
    result = landing_to_contract(tmp_path, Options())
    assert result.rejected == [Rejected("hubspot.contact", "123", "deleted_in_source")]
    assert result.leads == [
        {
            "lead_id": "124",
            "created_at": datetime(2024, 3, 1, 10),
            # masked: email_ + md5('mkpi-public-default-salt|a@b.com') (docs/raw-data.md)
            "email": "email_a23fcd83d073d6f54ca8622c91173dcc",
            "original_channel": "DIRECT_TRAFFIC",
            "original_campaign_id": None,
            "mql_at": None,
            "sql_at": None,
            "customer_at": datetime(2024, 4, 1),
        }
    ]


def test_missing_required_column_names_input_table_and_column(tmp_path: Path) -> None:
    header = CONTACT.replace("property_email,", "")
    write(tmp_path, "hubspot/contact", header, [])
    write(tmp_path, "files/campaigns", "campaign_id,campaign_name,channel,started_on,ended_on", [])
    with pytest.raises(
        ConnectorInputError, match=r"hubspot\.contact: missing column property_email"
    ):
        landing_to_contract(tmp_path, Options(raw_inputs={"leads": ["hubspot"]}))
    with pytest.raises(ConnectorInputError, match="deals cannot read input google_ads"):
        landing_to_contract(tmp_path, Options(raw_inputs={"deals": ["google_ads"]}))


# --- HubSpot contacts -> leads ----------------------------------------------------------------


def test_lead_columns_from_contact(tmp_path: Path) -> None:
    hubspot(
        tmp_path,
        [
            contact(
                "1",
                "2024-01-05T08:00:00Z",
                email="  Ann@Example.com ",
                source="ORGANIC_SEARCH",
                mql="2024-01-06T00:00:00",
                sql="2024-01-07 00:00:00",
                customer="2024-01-08T01:00:00+01:00",
            ),
            contact("2", email="   "),
        ],
    )
    leads = leads_by_id(landing_to_contract(tmp_path, Options()))
    assert leads["1"] == {
        "lead_id": "1",
        "created_at": datetime(2024, 1, 5, 8),
        # masked: email_ + md5('mkpi-public-default-salt|ann@example.com'), trimmed, lower-cased
        "email": "email_e5f411f466e6962b0f4f5cbf3acd429a",
        "original_channel": "ORGANIC_SEARCH",
        "original_campaign_id": None,
        "mql_at": datetime(2024, 1, 6),
        "sql_at": datetime(2024, 1, 7),
        "customer_at": datetime(2024, 1, 8),
    }
    assert leads["2"]["email"] is None
    assert leads["2"]["original_channel"] == "(not set)"


def test_deleted_contact_is_rejected_and_reconciled(tmp_path: Path) -> None:
    hubspot(tmp_path, [contact("1"), contact("2", deleted="true"), contact("3"), contact("3")])
    result = landing_to_contract(tmp_path, Options())
    assert sorted(leads_by_id(result)) == ["1", "3"]
    assert result.rejected == [Rejected("hubspot.contact", "2", "deleted_in_source")]
    # four landed: two leads, one exact copy collapsed, one rejected
    assert result.reconciliation_for("hubspot", "contact") == Reconciliation(
        "hubspot", "contact", 4, 2, 1, 1
    )


def test_contacts_sharing_an_id_are_emitted_but_not_clean(tmp_path: Path) -> None:
    hubspot(
        tmp_path,
        [contact("1"), contact("1", "2024-05-01T00:00:00"), contact("2")],
        deals=[deal("D1")],
        deal_contacts=[["D1", "1", "3"]],
    )
    result = landing_to_contract(tmp_path, Options())
    assert [lead["lead_id"] for lead in result.leads] == ["1", "1", "2"]
    assert result.clean_lead_ids == {"2"}
    assert result.deals[0]["lead_id"] is None


def test_merged_contacts_and_deal_repointing(tmp_path: Path) -> None:
    hubspot(
        tmp_path,
        [
            contact("100", "2024-01-10T00:00:00", merged="200;300"),
            contact("200", "2024-01-01T00:00:00"),  # merged into 100, still landed
            contact("300", deleted="true"),  # merged and deleted: deleted wins
            contact("400", deleted="true", merged="500"),  # a deleted contact's list is ignored
            contact("500"),
            contact("600", merged="600; ;"),  # its own id: not merged away
        ],
        deals=[deal("D1"), deal("D2"), deal("D3"), deal("D4"), deal("D5")],
        deal_contacts=[
            ["D1", "200", "3"],  # the merged-away contact -> its survivor
            ["D2", "300", "3"],  # deleted row, but listed by 100: the old id still maps
            ["D3", "999", "3"],  # not a contact at all
            ["D4", "200", "3"],  # both end on 100: one lead
            ["D4", "100", "4"],
            ["D5", "500", "3"],
        ],
    )
    result = landing_to_contract(tmp_path, Options())
    assert sorted(leads_by_id(result)) == ["100", "500", "600"]
    assert result.rejected == [
        Rejected("hubspot.contact", "200", "merged_away"),
        Rejected("hubspot.contact", "300", "deleted_in_source"),
        Rejected("hubspot.contact", "400", "deleted_in_source"),
    ]
    assert {key: row["lead_id"] for key, row in deals_by_id(result).items()} == {
        "D1": "100",
        "D2": "100",
        "D3": None,
        "D4": "100",
        "D5": "500",
    }
    assert result.reconciliation_for("hubspot", "contact") == Reconciliation(
        "hubspot", "contact", 6, 3, 0, 3
    )


def test_merge_chain_follows_to_the_last_survivor(tmp_path: Path) -> None:
    hubspot(
        tmp_path,
        [contact("1"), contact("2", merged="1"), contact("3", merged="2")],
        deals=[deal("D1")],
        deal_contacts=[["D1", "1", "3"]],
    )
    result = landing_to_contract(tmp_path, Options())
    assert sorted(leads_by_id(result)) == ["3"]
    assert result.deals[0]["lead_id"] == "3"


def test_lifecycle_dates_from_history_when_a_column_is_missing(tmp_path: Path) -> None:
    header = CONTACT.replace(",property_hs_lifecyclestage_customer_date", "")
    rows = [row[:-1] for row in (contact("1"), contact("2"), contact("3"), contact("4"))]
    rows[0][7] = "2020-01-01T00:00:00"  # a contact column that exists is ignored then
    hubspot(tmp_path, rows, contact_header=header)
    history = [
        # 1 skipped marketingqualifiedlead: mql_at is the salesqualifiedlead time
        ["1", "lifecyclestage", "subscriber", "2024-01-01T00:00:00"],
        ["1", "lifecyclestage", "lead", "2024-01-02T00:00:00"],
        ["1", "lifecyclestage", "salesqualifiedlead", "2024-01-05T00:00:00"],
        ["1", "lifecyclestage", "customer", "2024-01-09T00:00:00"],
        # 2 went back and forward: each date keeps the first time
        ["2", "lifecyclestage", "lead", "2024-02-01T00:00:00"],
        ["2", "lifecyclestage", "marketingqualifiedlead", "2024-02-03T00:00:00"],
        ["2", "lifecyclestage", "lead", "2024-02-04T00:00:00"],
        ["2", "lifecyclestage", "marketingqualifiedlead", "2024-02-06T00:00:00"],
        ["2", "lifecyclestage", "opportunity", "2024-02-08T00:00:00"],
        ["2", "lifecyclestage", "customer", "2024-02-10T00:00:00"],
        ["2", "lifecyclestage", "opportunity", "2024-02-12T00:00:00"],
        ["2", "lifecyclestage", "customer", "2024-02-14T00:00:00"],
        # 3 straight to evangelist (rank 7); other properties and unknown values are ignored
        ["3", "lifecyclestage", "evangelist", "2024-03-01T10:00:00+01:00"],
        ["3", "hs_lead_status", "customer", "2024-02-01T00:00:00"],
        ["3", "lifecyclestage", "partner", "2024-02-01T00:00:00"],
        # unordered rows: the earliest time wins, not the first row
        ["1", "lifecyclestage", "marketingqualifiedlead", "2024-01-07T00:00:00"],
    ]
    write(tmp_path, "hubspot/contact_property_history", "contact_id,name,value,timestamp", history)
    leads = leads_by_id(landing_to_contract(tmp_path, Options()))

    def dates(lead_id: str) -> tuple[datetime | None, ...]:
        return tuple(leads[lead_id][name] for name in ("mql_at", "sql_at", "customer_at"))

    assert dates("1") == (datetime(2024, 1, 5), datetime(2024, 1, 5), datetime(2024, 1, 9))
    # opportunity (rank 5) is past salesqualifiedlead: sql_at is its first time
    assert dates("2") == (datetime(2024, 2, 3), datetime(2024, 2, 8), datetime(2024, 2, 10))
    assert dates("3") == (datetime(2024, 3, 1, 9),) * 3
    assert dates("4") == (None, None, None)


# --- first URL, channel and campaign -----------------------------------------------------------


def test_url_parameter_edge_cases() -> None:
    url = "https://x.com/p?utm_source=Google&utm_medium=CPC"
    assert url_parameter(url, "utm_source") == "Google"
    assert utm_pair(url) == "google / cpc"
    # the first occurrence wins
    assert url_parameter("https://x.com/?utm_source=a&utm_source=b", "utm_source") == "a"
    # '+' and '%20' become a space; nothing else is decoded
    assert url_parameter("/?utm_campaign=Spring+Sale%20EU", "utm_campaign") == "Spring Sale EU"
    assert url_parameter("/?utm_campaign=a%2Fb%C3%A9%2520", "utm_campaign") == "a%2Fb%C3%A9%2520"
    # the value ends at '#'; the fragment is not the query
    assert url_parameter("/?utm_medium=email#top", "utm_medium") == "email"
    assert url_parameter("/?utm_medium=email#x&utm_source=y", "utm_source") is None
    # a name must be a whole parameter name; a value may hold '='
    assert url_parameter("/?xutm_source=a&utm_source=b", "utm_source") == "b"
    assert url_parameter("/?utm_campaign=a=b&x=1", "utm_campaign") == "a=b"
    # one of the pair missing (or empty) is '(not set)'; neither: no pair
    assert utm_pair("/?utm_medium=Email") == "(not set) / email"
    assert utm_pair("/?utm_source=&utm_medium=cpc") == "(not set) / cpc"
    assert utm_pair("/?utm_source=LinkedIn") == "linkedin / (not set)"
    assert utm_pair("https://x.com/pricing") is None
    assert utm_pair(None) is None


def test_original_channel_pair_when_it_maps_else_analytics_source(tmp_path: Path) -> None:
    hubspot(
        tmp_path,
        [
            contact(
                "1", source="PAID_SEARCH", url="https://a.io/?utm_source=Google&utm_medium=CPC"
            ),
            contact("2", url="https://a.io/?utm_medium=Email&utm_source=NewsLetter&x=1"),
            contact("3", source="PAID_SEARCH", url="https://a.io/?utm_source=foo&utm_medium=bar"),
            contact("4", source="ORGANIC_SEARCH"),
            contact("5"),
            contact("6", url="https://a.io/?utm_source=google"),  # 'google / (not set)'
            contact("7", url="https://a.io/?utm_source=%28direct%29&utm_medium=x"),
        ],
    )
    leads = leads_by_id(landing_to_contract(tmp_path, Options()))
    assert {key: lead["original_channel"] for key, lead in leads.items()} == {
        "1": "google / cpc",
        "2": "newsletter / email",
        "3": "PAID_SEARCH",
        "4": "ORGANIC_SEARCH",
        "5": "(not set)",
        "6": "(not set)",
        "7": "(not set)",
    }
    # the "maps" predicate is replaceable (GA4-style rules come later)
    custom = Options(channel_maps=lambda value: value.endswith(" / bar"))
    leads = leads_by_id(landing_to_contract(tmp_path, custom))
    assert leads["3"]["original_channel"] == "foo / bar"
    assert leads["1"]["original_channel"] == "PAID_SEARCH"


def test_campaign_matching_steps_and_unmatched_counts(tmp_path: Path) -> None:
    write(
        tmp_path,
        "google_ads/campaign_history",
        GOOGLE_CAMPAIGN,
        [
            ["111", "2024-01-01", "Search Generic", "1", "SEARCH", "2024-01-01", "", ""],
            ["222", "2024-01-01", "Brand Google", "1", "SEARCH", "2024-01-01", "", ""],
        ],
    )
    write(tmp_path, "google_ads/campaign_stats", GOOGLE_STATS, [])
    write(tmp_path, "google_ads/account_history", GOOGLE_ACCOUNT, [])
    write(
        tmp_path,
        "facebook_ads/campaign_history",
        META_CAMPAIGN,
        [
            ["111", "2024-01-01", "Meta Prospecting", "7", "", ""],
            ["333", "2024-01-01", "FB Retarget", "7", "", ""],
        ],
    )
    write(tmp_path, "facebook_ads/basic_ad", "ad_id,account_id,date,spend,impressions,"
          "inline_link_clicks", [])  # fmt: skip
    write(tmp_path, "facebook_ads/ad_history", "id,updated_time,campaign_id", [])
    write(tmp_path, "facebook_ads/account_history", "id,_fivetran_synced,currency", [])
    write(
        tmp_path,
        "files/campaigns",
        "campaign_id,campaign_name,channel,started_on,ended_on",
        [
            ["C05", "Spring Sale", "email", "2024-01-01", ""],
            ["C07", "Twin", "email", "", ""],
            ["C08", "twin ", "email", "", ""],
            ["C09", "Dup", "email", "2024-01-01", ""],  # a key with two differing rows
            ["C09", "Dup", "email", "2024-02-01", ""],
            ["C10", "Ended", "email", "2024-03-01", "2024-02-01"],  # end before start
            ["C11", "Copied", "email", "", ""],  # exact copies collapse: still clean
            ["C11", "Copied", "email", "", ""],
        ],
    )
    write(
        tmp_path,
        "files/campaign_mapping",
        "utm_value,campaign_id",
        [["promo-1", "C05"], ["AMBI", "C05"], ["ambi", "C07"], ["Spring Sale", "C07"]],
    )
    urls = {
        "1": "utm_id=222",  # step 2: platform id
        "2": "utm_id=facebook_ads:333",  # step 2: whole campaign_id
        "3": "utm_id=111&utm_campaign=search+generic",  # step 2 ambiguous, step 3 by name
        "4": "utm_id=111",  # ambiguous everywhere
        "5": "utm_campaign=Spring%20Sale",  # step 1 (mapping) beats the name (C05)
        "6": "utm_id=PROMO-1&utm_campaign=Brand+Google",  # step 1 case-insensitive
        "7": "utm_campaign=twin",  # two campaigns by name
        "8": "utm_campaign=Dup",  # not a clean campaign
        "9": "utm_id=(none)&utm_campaign=(not+set)",  # empty: neither matched nor counted
        "10": "utm_id=ambi&utm_campaign=fb+retarget",  # ambiguous mapping: no row
        "11": "utm_campaign=Ended",  # not clean
        "12": "utm_id=111",
        "13": "utm_campaign=+copied+",  # trimmed
        "14": "utm_id=C05",  # a files id is its whole id
    }
    hubspot(tmp_path, [contact(key, url=f"https://a.io/?{query}") for key, query in urls.items()])
    result = landing_to_contract(tmp_path, Options())
    assert set(result.clean_campaigns) == {
        "google_ads:111", "google_ads:222", "facebook_ads:111", "facebook_ads:333", "C05", "C07",
        "C08", "C11",
    }  # fmt: skip
    leads = leads_by_id(result)
    assert {key: lead["original_campaign_id"] for key, lead in leads.items()} == {
        "1": "google_ads:222",
        "2": "facebook_ads:333",
        "3": "google_ads:111",
        "4": None,
        "5": "C07",
        "6": "C05",
        "7": None,
        "8": None,
        "9": None,
        "10": "facebook_ads:333",
        "11": None,
        "12": None,
        "13": "C11",
        "14": "C05",
    }
    assert sorted(result.unmatched_campaigns, key=lambda u: (u.utm_id or "", u.utm_campaign)) == [
        Unmatched("hubspot", None, "Dup", 1),
        Unmatched("hubspot", None, "Ended", 1),
        Unmatched("hubspot", None, "twin", 1),
        Unmatched("hubspot", "111", None, 2),
    ]


def test_campaign_matching_without_mapping_table_or_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        "linkedin_ads/campaign_history",
        LINKEDIN_CAMPAIGN,
        [["132822896", "2024-01-01", "Brand", "9", "", ""]],
    )
    write(tmp_path, "linkedin_ads/ad_analytics_by_campaign", LINKEDIN_STATS, [])
    write(tmp_path, "linkedin_ads/account_history", "id,last_modified_time,currency", [])
    hubspot(tmp_path, [contact("1", url="https://a.io/?utm_campaign=BRAND")])
    result = landing_to_contract(tmp_path, Options())
    assert result.leads[0]["original_campaign_id"] == "linkedin_ads:132822896"
    assert result.unmatched_campaigns == []


# --- HubSpot deals ----------------------------------------------------------------------------


def test_several_contacts_earliest_created_then_smallest_numeric_id(tmp_path: Path) -> None:
    hubspot(
        tmp_path,
        [
            contact("9", "2024-01-05T00:00:00"),
            contact("10", "2024-01-05T00:00:00"),
            contact("11", "2024-01-05T00:00:00+01:00"),  # 2024-01-04 23:00 UTC: earlier
            contact("12", "2024-01-01T00:00:00", deleted="yes"),  # not a lead
        ],
        deals=[deal("D1"), deal("D2"), deal("D3"), deal("D4")],
        deal_contacts=[
            ["D1", "10", "3"],
            ["D1", "9", "3"],  # tie on createdate: 9 < 10 as numbers
            ["D2", "9", "3"],
            ["D2", "11", "5"],
            ["D3", "12", "3"],
            ["D3", "10", "3"],
            ["D3", "10", "4"],  # the same contact twice
            ["D4", "12", "3"],
        ],
    )
    deals = deals_by_id(landing_to_contract(tmp_path, Options()))
    assert {key: row["lead_id"] for key, row in deals.items()} == {
        "D1": "9",
        "D2": "11",
        "D3": "10",
        "D4": None,
    }


def test_stage_from_pipeline_stage_and_closed_at(tmp_path: Path) -> None:
    stages = [
        *STAGES,
        ["lost_p0", "false", "", "0"],  # is_closed NULL: probability 0 is closed
        ["open_p", "false", "", "0.5"],
        ["won_null", "true", "", ""],
        ["won_not_closed", "true", "false", "1"],  # closed_won decides won
    ]
    closed = "2024-03-01T00:00:00"
    hubspot(
        tmp_path,
        [contact("1")],
        deals=[
            deal(name, name, closed=closed)
            for name in ["won", "lost", "open", "lost_p0", "open_p", "won_null", "won_not_closed"]
        ]
        + [deal("nowhere", "nowhere", closed=closed), deal("", "won", closed=closed)],
        stages=stages,
    )
    deals = deals_by_id(landing_to_contract(tmp_path, Options()))
    assert {key: (row["stage"], row["closed_at"]) for key, row in deals.items()} == {
        "won": ("won", datetime(2024, 3, 1)),
        "lost": ("lost", datetime(2024, 3, 1)),
        "open": ("open", None),
        "lost_p0": ("lost", datetime(2024, 3, 1)),
        "open_p": ("open", None),
        "won_null": ("won", datetime(2024, 3, 1)),
        "won_not_closed": ("won", datetime(2024, 3, 1)),
        "nowhere": (None, None),
        None: ("won", datetime(2024, 3, 1)),  # emitted: the contract says missing_key
    }


def test_unknown_stage_is_null(tmp_path: Path) -> None:
    hubspot(tmp_path, [contact("1")], deals=[deal("D1", "appointmentscheduled")])
    result = landing_to_contract(tmp_path, Options())
    assert result.deals[0]["stage"] is None
    assert result.deals[0]["closed_at"] is None


def test_open_deal_has_no_closed_at(tmp_path: Path) -> None:
    hubspot(tmp_path, [contact("1")], deals=[deal("D1", "open", closed="2024-06-30T00:00:00")])
    assert landing_to_contract(tmp_path, Options()).deals[0]["closed_at"] is None


def test_stage_without_is_closed_column(tmp_path: Path) -> None:
    hubspot(tmp_path, [contact("1")], deals=[deal("a", "1"), deal("b", "2"), deal("c", "3")])
    write(
        tmp_path,
        "hubspot/deal_pipeline_stage",
        "stage_id,closed_won,probability",
        [["1.0", "true", "1"], ["2", "false", "0.0"], ["3", "false", "0.9"]],
    )
    deals = deals_by_id(landing_to_contract(tmp_path, Options()))
    assert {key: row["stage"] for key, row in deals.items()} == {
        "a": "won",
        "b": "lost",
        "c": "open",
    }


def test_deal_columns_amount_and_currency(tmp_path: Path) -> None:
    hubspot(
        tmp_path,
        [contact("1")],
        deals=[
            deal("D1", "won", closed="2024-02-10 12:00:00+01:00", amount="1234.50", currency="usd"),
            deal("D2", amount="", currency=""),
            deal("D3", amount="12,5", currency=" gbp "),
        ],
        deal_contacts=[["D1", "1", "3"]],
    )
    deals = deals_by_id(landing_to_contract(tmp_path, Options(hubspot_default_currency="CHF")))
    assert deals["D1"] == {
        "deal_id": "D1",
        "lead_id": "1",
        "created_at": datetime(2024, 2, 1),
        "closed_at": datetime(2024, 2, 10, 11),
        "stage": "won",
        "amount": Decimal("1234.50"),
        "currency": "USD",
    }
    assert (deals["D2"]["amount"], deals["D2"]["currency"]) == (None, "CHF")
    assert (deals["D3"]["amount"], deals["D3"]["currency"]) == (None, "GBP")
    # the default currency option is EUR
    deals = deals_by_id(landing_to_contract(tmp_path, Options()))
    assert deals["D2"]["currency"] == "EUR"


def test_deleted_and_merged_deals(tmp_path: Path) -> None:
    hubspot(
        tmp_path,
        [contact("1")],
        deals=[
            deal("D1", is_deleted="true"),
            deal("D2", fivetran_deleted="t"),  # is_deleted NULL: _fivetran_deleted decides
            deal("D3", is_deleted="false", fivetran_deleted="true"),  # coalesce: kept
            deal("D4"),  # merged into D5
            deal("D5"),
            deal("D6", is_deleted="1"),  # merged and deleted: deleted wins
            deal("D5"),  # an exact copy
        ],
        merged_deals=[["D5", "D4"], ["D5", "D6"]],
    )
    result = landing_to_contract(tmp_path, Options())
    assert sorted(deals_by_id(result)) == ["D3", "D5"]
    assert result.rejected == [
        Rejected("hubspot.deal", "D1", "deleted_in_source"),
        Rejected("hubspot.deal", "D2", "deleted_in_source"),
        Rejected("hubspot.deal", "D4", "merged_away"),
        Rejected("hubspot.deal", "D6", "deleted_in_source"),
    ]
    assert result.reconciliation_for("hubspot", "deal") == Reconciliation(
        "hubspot", "deal", 7, 2, 1, 4
    )


# --- ad platforms -----------------------------------------------------------------------------


def google_landing(root: Path) -> None:
    write(
        root,
        "google_ads/campaign_history",
        GOOGLE_CAMPAIGN,
        [
            ["10", "2024-01-01T00:00:00", "Old name", "1", "DISPLAY", "2024-01-01", "", ""],
            ["10", "2024-02-01T00:00:00", "Search", "1", "SEARCH", "2024-01-01", "2037-12-30", ""],
            ["20", "2024-01-01", "Display", "1", "DISPLAY", "2024-01-01", "2024-06-30", ""],
            ["30", "2024-01-01", "Unknown type", "1", "", "2024-01-01", "2037-12-29", ""],
            ["40", "2024-01-01", "PMax", "1.0", "PERFORMANCE_MAX", "2024-01-01", "2038-01-01", ""],
            ["50", "2024-01-01", "Video", "1", "VIDEO", "2024-01-01", "", ""],
            ["9935249409.0", "2024-01-01", "Float id", "1", "SEARCH", "", "", ""],
        ],
    )
    write(
        root,
        "google_ads/account_history",
        GOOGLE_ACCOUNT,
        [["1", "2024-01-01", "usd"], ["1", "2024-03-01", "eur"], ["2", "2024-01-01", "gbp"]],
    )
    write(
        root,
        "google_ads/campaign_stats",
        GOOGLE_STATS,
        [
            ["10", "1", "2024-03-01", "MOBILE", "1234567", "10", "1"],
            ["10", "1", "2024-03-01", "MOBILE", "1234567", "10", "1"],  # exact copy: collapsed
            ["10", "1", "2024-03-01", "DESKTOP", "2000000", "20", "2"],
            ["10", "1", "2024-03-01", "TABLET", "100000", "", ""],
            ["10", "1", "2024-03-01", "OTHER", "200000.0", "0", "0"],
            ["10", "1", "2024-03-02", "MOBILE", "0", "5", "0"],  # 0 spend is kept
            ["20", "1", "2024-03-01", "MOBILE", "1", "7", "1"],
            ["99", "2", "2024-03-01", "MOBILE", "5000000", "1", "1"],  # no campaign history
            ["50", "1", "2024-03-01", "MOBILE", "", "", ""],
        ],
    )


def test_google_ads_campaigns_channel_and_end_date_sentinel(tmp_path: Path) -> None:
    google_landing(tmp_path)
    result = landing_to_contract(tmp_path, Options())
    campaigns = {row["campaign_id"]: row for row in result.campaigns}
    assert campaigns["google_ads:10"] == {
        "campaign_id": "google_ads:10",
        "campaign_name": "Search",
        "channel": "paid_search",
        "started_on": date(2024, 1, 1),
        "ended_on": None,  # 2037-12-30: no end
    }
    assert {key: (row["channel"], row["ended_on"]) for key, row in campaigns.items()} == {
        "google_ads:10": ("paid_search", None),
        "google_ads:20": ("display", date(2024, 6, 30)),
        "google_ads:30": ("paid_search", date(2037, 12, 29)),
        "google_ads:40": ("paid_search", None),
        "google_ads:50": ("display", None),
        "google_ads:9935249409": ("paid_search", None),
    }
    assert result.reconciliation_for("google_ads", "campaign_history") == Reconciliation(
        "google_ads", "campaign_history", 7, 6, 1, 0
    )
    custom = Options(google_ads_channel_types={"VIDEO": "paid_social"})
    campaigns = {row["campaign_id"]: row for row in landing_to_contract(tmp_path, custom).campaigns}
    assert campaigns["google_ads:50"]["channel"] == "paid_social"
    assert campaigns["google_ads:20"]["channel"] == "paid_search"  # not in the var: fallback


def test_google_ads_costs_micros_summed_exactly(tmp_path: Path) -> None:
    google_landing(tmp_path)
    result = landing_to_contract(tmp_path, Options())
    costs = costs_by(result)
    assert costs[("google_ads:10", date(2024, 3, 1))] == {
        "cost_date": date(2024, 3, 1),
        "channel": "paid_search",
        "campaign_id": "google_ads:10",
        "cost_category": "media",
        # (1234567 + 2000000 + 100000 + 200000) / 1e6, the copy not counted twice
        "amount": Decimal("3.534567"),
        "currency": "EUR",  # the account's latest row
        "impressions": 30,
        "clicks": 3,
    }
    assert costs[("google_ads:10", date(2024, 3, 2))]["amount"] == Decimal("0")
    assert costs[("google_ads:20", date(2024, 3, 1))]["amount"] == Decimal("0.000001")
    assert costs[("google_ads:20", date(2024, 3, 1))]["channel"] == "display"
    unknown = costs[("google_ads:99", date(2024, 3, 1))]
    assert (unknown["channel"], unknown["currency"], unknown["amount"]) == (
        "paid_search", "GBP", Decimal(5),
    )  # fmt: skip
    nothing = costs[("google_ads:50", date(2024, 3, 1))]
    assert (nothing["amount"], nothing["impressions"], nothing["channel"]) == (
        None,
        None,
        "display",
    )
    assert len(result.costs) == 5
    assert result.reconciliation_for("google_ads", "campaign_stats") == Reconciliation(
        "google_ads", "campaign_stats", 9, 5, 4, 0
    )


def test_latest_history_row_ties_and_fivetran_active(tmp_path: Path) -> None:
    write(
        tmp_path,
        "google_ads/campaign_history",
        GOOGLE_CAMPAIGN,
        [
            ["1", "2024-02-01", "Later sync", "1", "SEARCH", "", "", "2024-02-03T00:00:00"],
            ["1", "2024-02-01", "Earlier sync", "1", "SEARCH", "", "", "2024-02-02T00:00:00"],
            ["1", "2024-01-01", "Older", "1", "SEARCH", "", "", "2024-03-01T00:00:00"],
            ["2", "2024-02-01", "Tie A", "1", "SEARCH", "", "", "2024-02-02T00:00:00"],
            ["2", "2024-02-01", "Tie B", "1", "SEARCH", "", "", "2024-02-02T00:00:00"],
        ],
    )
    write(tmp_path, "google_ads/campaign_stats", GOOGLE_STATS, [])
    write(tmp_path, "google_ads/account_history", GOOGLE_ACCOUNT, [])
    write(
        tmp_path,
        "facebook_ads/campaign_history",
        META_CAMPAIGN + ",_fivetran_active",
        [
            ["5", "2024-01-01T00:00:00", "Active", "7", "", "", "true"],
            ["5", "2024-06-01T00:00:00", "Newer but inactive", "7", "", "", "false"],
            ["6", "2024-01-01T00:00:00", "No active row, older", "7", "", "", "false"],
            ["6", "2024-02-01T00:00:00", "No active row, newer", "7", "", "", ""],
        ],
    )
    write(tmp_path, "facebook_ads/basic_ad", "ad_id,account_id,date,spend,impressions,"
          "inline_link_clicks", [])  # fmt: skip
    write(tmp_path, "facebook_ads/ad_history", "id,updated_time,campaign_id", [])
    write(tmp_path, "facebook_ads/account_history", "id,_fivetran_synced,currency", [])
    result = landing_to_contract(tmp_path, Options())
    names = sorted((row["campaign_id"], row["campaign_name"]) for row in result.campaigns)
    assert names == [
        ("facebook_ads:5", "Active"),
        ("facebook_ads:6", "No active row, newer"),
        ("google_ads:1", "Later sync"),
        # a full tie is not decided here: both go on, the contract says duplicate_key
        ("google_ads:2", "Tie A"),
        ("google_ads:2", "Tie B"),
    ]
    assert result.reconciliation_for("google_ads", "campaign_history") == Reconciliation(
        "google_ads", "campaign_history", 5, 3, 2, 0
    )


def test_meta_ad_without_ad_history_keeps_cost_without_campaign(tmp_path: Path) -> None:
    write(
        tmp_path,
        "facebook_ads/campaign_history",
        META_CAMPAIGN,
        [
            ["7", "2024-01-01", "Prospecting", "55", "2024-01-01T23:30:00-02:00", ""],
            ["8", "2024-01-01", "Retargeting", "55", "", "2024-12-31T10:00:00"],
        ],
    )
    write(
        tmp_path,
        "facebook_ads/ad_history",
        "id,updated_time,campaign_id",
        [["1", "2024-01-01", "7"], ["2", "2024-01-01", "7"], ["2", "2024-02-01", "8.0"]],
    )
    write(
        tmp_path,
        "facebook_ads/account_history",
        "id,_fivetran_synced,currency",
        [["55", "2024-01-01T00:00:00", "eur"], ["55", "2024-01-02T00:00:00", "sek"]],
    )
    write(
        tmp_path,
        "facebook_ads/basic_ad",
        "ad_id,account_id,date,spend,impressions,inline_link_clicks",
        [
            ["1", "55", "2024-03-01", "10.10", "100", "3"],
            ["2", "55", "2024-03-01", "5.05", "50", "1"],  # the ad moved to campaign 8
            ["3", "55", "2024-03-01", "1.5", "10", "0"],  # no ad_history row
            ["4", "55", "2024-03-01", "2.5", "20", "1"],  # no ad_history row, same day
            ["3", "55", "2024-03-02", "0", "0", "0"],
        ],
    )
    result = landing_to_contract(tmp_path, Options())
    campaigns = {row["campaign_id"]: row for row in result.campaigns}
    assert campaigns["facebook_ads:7"]["started_on"] == date(2024, 1, 2)  # UTC date
    assert campaigns["facebook_ads:8"]["ended_on"] == date(2024, 12, 31)
    assert {row["channel"] for row in result.campaigns} == {"paid_social"}
    costs = costs_by(result)
    assert set(costs) == {
        ("facebook_ads:7", date(2024, 3, 1)),
        ("facebook_ads:8", date(2024, 3, 1)),
        (None, date(2024, 3, 1)),
        (None, date(2024, 3, 2)),
    }
    assert costs[(None, date(2024, 3, 1))] == {
        "cost_date": date(2024, 3, 1),
        "channel": "paid_social",
        "campaign_id": None,
        "cost_category": "media",
        "amount": Decimal("4.0"),
        "currency": "SEK",
        "impressions": 30,
        "clicks": 1,
    }
    assert costs[("facebook_ads:7", date(2024, 3, 1))]["amount"] == Decimal("10.10")
    assert costs[("facebook_ads:8", date(2024, 3, 1))]["clicks"] == 1
    assert result.reconciliation_for("facebook_ads", "basic_ad") == Reconciliation(
        "facebook_ads", "basic_ad", 5, 4, 1, 0
    )


def linkedin_landing(root: Path) -> None:
    write(
        root,
        "linkedin_ads/campaign_history",
        LINKEDIN_CAMPAIGN,
        [
            ["132822896", "2024-01-01T00:00:00", "Brand", "9", "2024-01-01T00:00:00", ""],
            ["132822896", "2024-02-01T00:00:00", "Brand v2", "9", "2024-01-01T00:00:00",
             "2024-06-30T23:00:00-02:00"],
        ],
    )  # fmt: skip
    write(
        root,
        "linkedin_ads/account_history",
        "id,last_modified_time,currency",
        [["9", "2024-01-01", "gbp"], ["9", "2024-02-01", "chf"]],
    )
    write(
        root,
        "linkedin_ads/ad_analytics_by_campaign",
        LINKEDIN_STATS,
        [
            ["132822896", "2024-03-01 00:00:00", "10.00", "11.10", "100", "2"],
            ["132822896", "2024-03-01T00:00:00", "5.50", "6.05", "40", "1"],
            ["777", "2024-03-01T00:00:00", "1", "1.2", "1", "0"],  # no campaign row
        ],
    )


def test_linkedin_local_currency(tmp_path: Path) -> None:
    linkedin_landing(tmp_path)
    result = landing_to_contract(tmp_path, Options())
    assert result.campaigns == [
        {
            "campaign_id": "linkedin_ads:132822896",
            "campaign_name": "Brand v2",
            "channel": "paid_social",
            "started_on": date(2024, 1, 1),
            "ended_on": date(2024, 7, 1),
        }
    ]
    costs = costs_by(result)
    brand = costs[("linkedin_ads:132822896", date(2024, 3, 1))]
    assert (brand["amount"], brand["currency"], brand["impressions"], brand["clicks"]) == (
        Decimal("15.50"), "CHF", 140, 3,
    )  # fmt: skip
    # a stats row whose campaign has no history row: no account, so no currency
    assert costs[("linkedin_ads:777", date(2024, 3, 1))]["currency"] is None


def test_linkedin_usd_option(tmp_path: Path) -> None:
    linkedin_landing(tmp_path)
    result = landing_to_contract(tmp_path, Options(linkedin_ads_cost_currency="usd"))
    costs = costs_by(result)
    brand = costs[("linkedin_ads:132822896", date(2024, 3, 1))]
    assert (brand["amount"], brand["currency"]) == (Decimal("17.15"), "USD")
    assert costs[("linkedin_ads:777", date(2024, 3, 1))]["currency"] == "USD"


# --- selection and reconciliation ------------------------------------------------------------


def test_raw_inputs_select_what_is_produced(tmp_path: Path) -> None:
    google_landing(tmp_path)
    linkedin_landing(tmp_path)
    options = Options(raw_inputs={"campaigns": ["google_ads", "files"], "costs": ["linkedin_ads"]})
    write(tmp_path, "files/campaigns", "campaign_id,campaign_name,channel,started_on,ended_on", [])
    result = landing_to_contract(tmp_path, options)
    assert {row["campaign_id"].split(":")[0] for row in result.campaigns} == {"google_ads"}
    assert {row["campaign_id"].split(":")[0] for row in result.costs} == {"linkedin_ads"}
    assert {(row.input, row.landed_table) for row in result.reconciliation} == {
        ("google_ads", "campaign_history"),
        ("linkedin_ads", "ad_analytics_by_campaign"),
    }
    assert result.leads == [] and result.deals == []


def test_reconciliation_identity_over_a_full_landing(tmp_path: Path) -> None:
    google_landing(tmp_path)
    linkedin_landing(tmp_path)
    hubspot(
        tmp_path,
        [
            contact("1", merged="2"),
            contact("2"),
            contact("3", deleted="true"),
            contact("4"),
            contact("4"),
            contact("5", "bad"),
        ],
        deals=[deal("D1"), deal("D1"), deal("D2", is_deleted="true"), deal("D3"), deal("D4")],
        deal_contacts=[["D1", "2", "3"], ["D3", "5", "3"]],
        merged_deals=[["D1", "D4"]],
    )
    result = landing_to_contract(tmp_path, Options())
    assert_identity(result)
    assert {(row.input, row.landed_table) for row in result.reconciliation} == {
        ("hubspot", "contact"),
        ("hubspot", "deal"),
        ("google_ads", "campaign_history"),
        ("google_ads", "campaign_stats"),
        ("linkedin_ads", "campaign_history"),
        ("linkedin_ads", "ad_analytics_by_campaign"),
    }
    assert result.reconciliation_for("hubspot", "contact") == Reconciliation(
        "hubspot", "contact", 6, 3, 1, 2
    )
    assert result.reconciliation_for("hubspot", "deal") == Reconciliation(
        "hubspot", "deal", 5, 2, 1, 2
    )
    assert result.reconciliation_for("linkedin_ads", "campaign_history") == Reconciliation(
        "linkedin_ads", "campaign_history", 2, 1, 1, 0
    )
    assert result.reconciliation_for("linkedin_ads", "ad_analytics_by_campaign") == (
        Reconciliation("linkedin_ads", "ad_analytics_by_campaign", 3, 2, 1, 0)
    )
    # the counts are the rows the reference returns
    tables = {"contact": result.leads, "deal": result.deals}
    for row in result.reconciliation:
        rows = tables.get(row.landed_table)
        if rows is None:
            produced = result.campaigns if row.landed_table == "campaign_history" else result.costs
            rows = [r for r in produced if (r["campaign_id"] or "").startswith(row.input)]
        assert row.contract_rows == len(rows), row
        source = f"{row.input}.{row.landed_table}"
        assert row.rejected_rows == sum(r.source_table == source for r in result.rejected), row
    assert {key: row["lead_id"] for key, row in deals_by_id(result).items()} == {
        "D1": "1",
        "D3": None,
    }
