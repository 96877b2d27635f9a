"""HubSpot as Fivetran lands it: contacts (with their lifecycle history) and deals.

Every contract lead is one clean contact and every contract deal one clean deal. Around them sit
the records a real portal has and the connector rules must drop or fold: deleted contacts, older
contacts merged into a lead (some deals hang only on the merged-away id), deals with several
contacts, deleted deals and merged deals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mkpi.devtools.sampling.calendar import DateRange, days_as_seconds
from mkpi.devtools.sampling.landing.campaigns import CampaignPlan
from mkpi.devtools.sampling.landing.source import DealRows, LeadRows
from mkpi.devtools.sampling.landing.tables import (
    MINUS_FIVE,
    PLUS_ONE,
    SPACE,
    UTC_OFFSET,
    ZULU,
    ZULU_MILLIS,
    LandedTable,
    boolean_text,
    cents_text,
    format_timestamps,
    pick_styles,
)
from mkpi.devtools.sampling.landing.urls import UNIFORMS, Source, plan_source

NAT = np.datetime64("NaT", "s")
ID_STEP = 10  # lead n is contact base + 10 n; the gaps hold merged-away and deleted records
MERGED_OFFSETS = (-5, -4)  # merged-away contacts of lead n
MERGED_DEAL_OFFSET = -5  # an older deal merged into deal n
DELETED_OFFSET = 3  # a deleted contact next to lead n, a deleted deal next to deal n
TIMESTAMP_STYLES = {
    SPACE: 0.35,
    ZULU_MILLIS: 0.3,
    UTC_OFFSET: 0.15,
    ZULU: 0.1,
    PLUS_ONE: 0.06,
    MINUS_FIVE: 0.04,
}
LIFECYCLE = ("lead", "marketingqualifiedlead", "salesqualifiedlead", "customer")
FIRST_NAMES = (
    "Anna", "Lars", "Sofia", "Mikkel", "Emma", "Oliver", "Nora", "Elias", "Maja", "Lucas",
    "Ida", "William", "Freja", "Noah", "Ella", "Oscar", "Søren", "Åsa",
)  # fmt: skip
LAST_NAMES = (
    "Andersen", "Nielsen", "Johansson", "Larsen", "Berg", "Smith", "Jones", "Lindqvist",
    "Hansen", "Taylor", "Sørensen", "Öberg", "Brown", "Eriksen",
)  # fmt: skip
COMPANIES = (
    "Nordlys AB", "Fjord Analytics", "Acme Retail", "Smith, Jones & Co", "Blåbær Studio",
    "Northwind", "Polar Commerce", "Hygge Home", None,
)  # fmt: skip


def id_base(count: int) -> int:
    """A power of ten so that base + 10 n (n <= count) always has the same number of digits."""
    return 10 ** len(str(ID_STEP * (count + 1)))


@dataclass
class ContactRecords:
    """Contacts as parallel lists, clean ones first (one per contract lead, in lead order)."""

    id: list[int]
    deleted: list[bool | None]
    created_at: list[np.datetime64]
    email: list[str | None]
    source: list[Source]
    merged_ids: list[str | None]
    mql_at: list[np.datetime64]
    sql_at: list[np.datetime64]
    customer_at: list[np.datetime64]

    def append(
        self,
        contact_id: int,
        deleted: bool | None,
        created_at: np.datetime64,
        email: str | None,
        source: Source,
        stages: tuple[np.datetime64, np.datetime64, np.datetime64] = (NAT, NAT, NAT),
    ) -> None:
        self.id.append(contact_id)
        self.deleted.append(deleted)
        self.created_at.append(created_at)
        self.email.append(email)
        self.source.append(source)
        self.merged_ids.append(None)
        self.mql_at.append(stages[0])
        self.sql_at.append(stages[1])
        self.customer_at.append(stages[2])


@dataclass(frozen=True)
class HubSpot:
    contact_ids: np.ndarray  # per contract lead
    deal_ids: np.ndarray  # per contract deal
    tables: tuple[LandedTable, ...]


class _Builder:
    def __init__(
        self,
        leads: LeadRows,
        deals: DealRows,
        plans: tuple[CampaignPlan, ...],
        span: DateRange,
        rng: np.random.Generator,
    ) -> None:
        self.leads, self.deals, self.plans, self.span, self.rng = leads, deals, plans, span, rng
        self.contact_base = id_base(len(leads))
        self.deal_base = max(10**10, id_base(len(deals)))
        self.synced_at = span.end_s + np.timedelta64(3 * 3600 + 1234, "s")
        self.contacts = ContactRecords([], [], [], [], [], [], [], [], [])
        self.merged_into: dict[int, list[int]] = {}  # lead index -> merged-away contact ids
        self.deleted_contacts: list[int] = []  # positions in self.contacts

    # -- contacts -------------------------------------------------------------------------------

    def lead_contact(self, lead: int) -> int:
        return self.contact_base + ID_STEP * (lead + 1)

    def _source(self, lead: int) -> Source:
        campaign = int(self.leads.campaign[lead])
        plan = self.plans[campaign] if campaign >= 0 else None
        return plan_source(self.leads.channel[lead], plan, self.rng.random(UNIFORMS))

    def _email(self, lead: int) -> str | None:
        email = self.leads.email[lead]
        u = self.rng.random()
        if email is None:
            return "" if u < 0.3 else (" " if u < 0.4 else None)
        return f" {email} " if u < 0.04 else email

    def build_contacts(self) -> None:
        leads, rng = self.leads, self.rng
        for lead in range(len(leads)):
            deleted = None if rng.random() < 0.05 else False
            stages = (leads.mql_at[lead], leads.sql_at[lead], leads.customer_at[lead])
            self.contacts.append(
                self.lead_contact(lead),
                deleted,
                leads.created_at[lead],
                self._email(lead),
                self._source(lead),
                stages,
            )
        self._add_merged()
        self._add_deleted()

    def _add_merged(self) -> None:
        """Older duplicates merged into some leads (mostly leads with deals)."""
        leads, rng = self.leads, self.rng
        with_deals = np.unique(self.deals.lead)
        others = np.setdiff1d(np.arange(len(leads)), with_deals)
        chosen = [
            int(i)
            for group, share in ((with_deals, 0.2), (others, 0.01))
            if len(group)
            for i in rng.choice(group, size=max(1, round(share * len(group))), replace=False)
        ]
        for lead in sorted(chosen):
            ids = []
            for offset in MERGED_OFFSETS[: 1 if rng.random() < 0.75 else 2]:
                contact_id = self.lead_contact(lead) + offset
                created = leads.created_at[lead] - days_as_seconds(rng.uniform(1, 120))
                mql = created + days_as_seconds(2.0) if rng.random() < 0.3 else NAT
                email = f"contact{contact_id}@example.net"
                self.contacts.append(
                    contact_id, False, created, email, self._source(lead), (mql, NAT, NAT)
                )
                ids.append(contact_id)
            self.contacts.merged_ids[lead] = ";".join(str(i) for i in ids)
            self.merged_into[lead] = ids

    def _add_deleted(self) -> None:
        """Deleted contacts: copies of leads' data, created a little earlier."""
        leads, rng = self.leads, self.rng
        count = min(len(leads), max(3, round(0.015 * len(leads))))
        for lead in self._some(len(leads), count):
            created = leads.created_at[lead] - days_as_seconds(rng.uniform(0.1, 3))
            stages = (leads.mql_at[lead], leads.sql_at[lead], leads.customer_at[lead])
            email = leads.email[lead] if rng.random() < 0.5 else None
            self.deleted_contacts.append(len(self.contacts.id))
            self.contacts.append(
                self.lead_contact(lead) + DELETED_OFFSET,
                True,
                created,
                email,
                self._source(lead),
                stages,
            )

    def contact_table(self) -> LandedTable:
        c, rng = self.contacts, self.rng
        order = np.argsort(np.array(c.id, dtype=np.int64), kind="stable")
        n = len(order)

        def pick(values: list) -> list:
            return [values[k] for k in order]

        def stamps(values: list[np.datetime64]) -> list[str | None]:
            array = np.array(pick(values), dtype="datetime64[s]")
            return list(format_timestamps(array, pick_styles(rng, n, TIMESTAMP_STYLES)))

        first = rng.integers(0, len(FIRST_NAMES), n)
        last = rng.integers(0, len(LAST_NAMES), n)
        company = rng.integers(0, len(COMPANIES), n)
        table = LandedTable("contact")
        table.add("id", "bigint", [str(i) for i in pick(c.id)])
        table.add("_fivetran_deleted", "boolean", [boolean_text(d) for d in pick(c.deleted)])
        table.add("_fivetran_synced", "timestamp", self._synced(n))
        table.add("property_createdate", "timestamp", stamps(c.created_at))
        table.add("property_email", "text", pick(c.email))
        table.add("property_firstname", "text", [FIRST_NAMES[k] for k in first])
        table.add("property_lastname", "text", [LAST_NAMES[k] for k in last])
        table.add("property_company", "text", [COMPANIES[k] for k in company])
        table.add("property_lifecyclestage", "text", self._current_stage(order))
        sources = pick(c.source)
        table.add("property_hs_analytics_source", "text", [s.hs_analytics_source for s in sources])
        table.add("property_hs_analytics_source_data_1", "text", [s.source_data_1 for s in sources])
        table.add("property_hs_analytics_first_url", "text", [s.first_url for s in sources])
        table.add("property_hs_merged_object_ids", "text", pick(c.merged_ids))
        for stage, values in (
            ("marketingqualifiedlead", c.mql_at),
            ("salesqualifiedlead", c.sql_at),
            ("customer", c.customer_at),
        ):
            table.add(f"property_hs_lifecyclestage_{stage}_date", "timestamp", stamps(values))
        return table

    def _current_stage(self, order: np.ndarray) -> list[str]:
        c = self.contacts
        current = []
        for k in order:
            reached = [not np.isnat(t) for t in (c.mql_at[k], c.sql_at[k], c.customer_at[k])]
            top = max((i + 1 for i, hit in enumerate(reached) if hit), default=0)
            current.append(LIFECYCLE[top])
        return current

    def _synced(self, n: int) -> list[str | None]:
        offsets = self.rng.integers(0, 3600, n).astype("timedelta64[s]")
        return list(format_timestamps(self.synced_at + offsets, SPACE))

    def history_table(self) -> LandedTable:
        """contact_property_history: lifecyclestage changes matching the lifecycle date columns,
        plus stages the rules must ignore (subscriber before lead, opportunity, a step back to
        lead and forward again, evangelist, `other`) and other properties."""
        c, rng = self.contacts, self.rng
        end = self.span.end_s
        rows: list[tuple[int, str, str, np.datetime64, str]] = []
        for k, contact_id in enumerate(c.id):
            created, mql, sql, customer = (
                c.created_at[k],
                c.mql_at[k],
                c.sql_at[k],
                c.customer_at[k],
            )
            u = rng.random(8)
            automation = "AUTOMATION_PLATFORM" if u[0] < 0.5 else "CRM_UI"
            if u[1] < 0.1:
                before = created - days_as_seconds(1 / 24 + 29 * u[2])
                rows.append((contact_id, "lifecyclestage", "subscriber", before, "FORM"))
            for value, when in zip(LIFECYCLE, (created, mql, sql, customer), strict=True):
                if not np.isnat(when):
                    rows.append((contact_id, "lifecyclestage", value, when, automation))
            if not np.isnat(mql) and u[3] < 0.05:
                back = mql + days_as_seconds(0.5 + u[4])
                forth = back + days_as_seconds(1 + 3 * u[5])
                if forth < end:
                    rows.append((contact_id, "lifecyclestage", "lead", back, "CRM_UI"))
                    rows.append(
                        (contact_id, "lifecyclestage", "marketingqualifiedlead", forth, "CRM_UI")
                    )
            if not np.isnat(sql) and u[6] < 0.3:
                opportunity = (
                    sql + (customer - sql) // 2
                    if not np.isnat(customer)
                    else sql + days_as_seconds(0.1 + 4 * u[7])
                )
                if opportunity < end:
                    rows.append((contact_id, "lifecyclestage", "opportunity", opportunity, "CRM"))
            if not np.isnat(customer) and u[7] < 0.05:
                later = customer + days_as_seconds(30 + 60 * u[2])
                if later < end:
                    rows.append((contact_id, "lifecyclestage", "evangelist", later, "CRM_UI"))
            if u[4] < 0.03:
                other = created + days_as_seconds(0.2 + u[5])
                if other < end:
                    rows.append((contact_id, "lifecyclestage", "other", other, "IMPORT"))
            if u[5] < 0.2:
                rows.append((contact_id, "hs_lead_status", "NEW", created, "CRM_UI"))
            if c.email[k] and u[6] > 0.7:
                rows.append((contact_id, "email", str(c.email[k]).strip(), created, "FORM"))
        rows.sort(key=lambda row: (row[0], row[3], row[1], row[2]))
        n = len(rows)
        stamps = format_timestamps(
            np.array([row[3] for row in rows], dtype="datetime64[s]"),
            pick_styles(rng, n, TIMESTAMP_STYLES),
        )
        table = LandedTable("contact_property_history")
        table.add("contact_id", "bigint", [str(row[0]) for row in rows])
        table.add("name", "text", [row[1] for row in rows])
        table.add("value", "text", [row[2] for row in rows])
        table.add("timestamp", "timestamp", list(stamps))
        table.add("source", "text", [row[4] for row in rows])
        table.add("_fivetran_synced", "timestamp", self._synced(n))
        return table

    # -- deals ----------------------------------------------------------------------------------

    def deal_id(self, deal: int) -> int:
        return self.deal_base + ID_STEP * (deal + 1)

    def build_deals(self) -> tuple[LandedTable, ...]:
        deals, rng = self.deals, self.rng
        rows: list[dict] = []
        links: list[tuple[int, int, int]] = []  # deal id, contact id, type id
        merged: list[tuple[int, int]] = []
        created_of_lead = self.leads.created_at
        for j in range(len(deals)):
            lead = int(deals.lead[j])
            deal_id = self.deal_id(j)
            rows.append(self._deal_row(deal_id, j, deals.stage[j], deals.closed_at[j]))
            links += [(deal_id, contact, 3) for contact in self._deal_contacts(lead)]
            extra = rng.random(2)
            if extra[0] < 0.1:  # a colleague, created later: the lead still wins the tie-break
                later = int(np.searchsorted(created_of_lead, created_of_lead[lead], "right"))
                if later < len(self.leads):
                    other = int(rng.integers(later, len(self.leads)))
                    links.append((deal_id, self.lead_contact(other), 4))
            if extra[1] < 0.05 and self.deleted_contacts:
                position = self.deleted_contacts[int(rng.integers(len(self.deleted_contacts)))]
                links.append((deal_id, self.contacts.id[position], 4))
        count = min(len(deals), max(2, round(0.03 * len(deals))))
        for j in self._some(len(deals), count):
            # an older duplicate deal merged into deal j
            old_id = self.deal_id(j) + MERGED_DEAL_OFFSET
            created = deals.created_at[j] - days_as_seconds(rng.uniform(1, 20))
            rows.append(self._extra_deal(old_id, j, created, "open", False, None))
            links.append((old_id, self.lead_contact(int(deals.lead[j])), 3))
            merged.append((self.deal_id(j), old_id))
        for j in self._some(len(deals), count):
            # a won deal deleted in HubSpot
            deleted_id = self.deal_id(j) + DELETED_OFFSET
            flags = (True, False) if rng.random() < 0.6 else (None, True)
            created = deals.created_at[j] + days_as_seconds(rng.uniform(0, 5))
            rows.append(self._extra_deal(deleted_id, j, created, "won", *flags))
            links.append((deleted_id, self.lead_contact(int(deals.lead[j])), 3))
        return (
            self._deal_table(rows),
            self._deal_contact_table(links),
            self._stage_table(),
            self._merged_deal_table(merged),
        )

    def _some(self, n: int, count: int) -> list[int]:
        """`count` distinct positions out of `n`, in order."""
        return sorted(int(i) for i in self.rng.choice(n, size=count, replace=False))

    def _deal_contacts(self, lead: int) -> list[int]:
        contact = self.lead_contact(lead)
        merged = self.merged_into.get(lead)
        if not merged:
            return [contact]
        u = self.rng.random()
        if u < 0.5:
            return [merged[0]]  # only the merged-away record: maps to the lead
        return [contact, *merged] if u < 0.7 else [contact]

    def _stage_id(self, stage: str, enterprise: bool) -> str:
        pipeline = ENTERPRISE if enterprise else DEFAULT
        if stage == "won":
            return pipeline.won
        if stage == "lost":
            return pipeline.lost
        return pipeline.open[int(self.rng.integers(len(pipeline.open)))]

    def _deal_row(
        self, deal_id: int, j: int, stage: str, closed_at: np.datetime64
    ) -> dict[str, object]:
        deals, rng = self.deals, self.rng
        enterprise = rng.random() < 0.25
        created = deals.created_at[j]
        if stage == "open":  # HubSpot's expected close date: the rule must ignore it
            u = rng.random()
            if u < 0.8:  # after the export
                closed_at = self.span.end_s + days_as_seconds(rng.uniform(3, 120))
            else:  # overdue, or not set
                overdue = created + days_as_seconds(rng.uniform(14, 60))
                closed_at = overdue if u < 0.9 and overdue < self.span.end_s else NAT
        currency: str | None = deals.currency[j]
        u = rng.random(3)
        if currency == "EUR" and u[0] < 0.4:
            currency = None  # the portal's default currency
        elif u[1] < 0.1:
            currency = str(currency).lower()
        return {
            "deal_id": deal_id,
            "pipeline": ENTERPRISE.id if enterprise else DEFAULT.id,
            "stage_id": self._stage_id(stage, enterprise),
            "is_deleted": None if u[2] < 0.1 else False,
            "fivetran_deleted": False,
            "created": created,
            "closed": closed_at,
            "amount": cents_text(int(deals.amount_cents[j]), trim=rng.random() < 0.5),
            "currency": currency,
        }

    def _extra_deal(
        self,
        deal_id: int,
        j: int,
        created: np.datetime64,
        stage: str,
        is_deleted: bool | None,
        fivetran_deleted: bool | None,
    ) -> dict[str, object]:
        closed = created + days_as_seconds(self.rng.uniform(5, 40))
        return {
            "deal_id": deal_id,
            "pipeline": DEFAULT.id,
            "stage_id": self._stage_id(stage, False),
            "is_deleted": is_deleted,
            "fivetran_deleted": fivetran_deleted,
            "created": created,
            "closed": closed,
            "amount": cents_text(int(self.deals.amount_cents[j])),
            "currency": self.deals.currency[j],
        }

    def _deal_table(self, rows: list[dict]) -> LandedTable:
        rows = sorted(rows, key=lambda row: row["deal_id"])
        n, rng = len(rows), self.rng
        table = LandedTable("deal")
        table.add("deal_id", "bigint", [str(row["deal_id"]) for row in rows])
        table.add("deal_pipeline_id", "text", [row["pipeline"] for row in rows])
        table.add("deal_pipeline_stage_id", "text", [row["stage_id"] for row in rows])
        table.add("owner_id", "bigint", [str(v) for v in rng.integers(41_000_000, 41_000_040, n)])
        table.add("is_deleted", "boolean", [boolean_text(row["is_deleted"]) for row in rows])
        table.add(
            "_fivetran_deleted", "boolean", [boolean_text(row["fivetran_deleted"]) for row in rows]
        )
        table.add("_fivetran_synced", "timestamp", self._synced(n))
        names = rng.integers(0, len(COMPANIES) - 1, n)
        table.add("property_dealname", "text", [f"{COMPANIES[k]} - subscription" for k in names])
        for column, key in (("property_createdate", "created"), ("property_closedate", "closed")):
            values = np.array([row[key] for row in rows], dtype="datetime64[s]")
            stamps = format_timestamps(values, pick_styles(rng, n, TIMESTAMP_STYLES))
            table.add(column, "timestamp", list(stamps))
        table.add("property_amount", "money", [row["amount"] for row in rows])
        table.add("property_deal_currency_code", "text", [row["currency"] for row in rows])
        return table

    def _deal_contact_table(self, links: list[tuple[int, int, int]]) -> LandedTable:
        links = sorted(set(links))
        table = LandedTable("deal_contact")
        table.add("deal_id", "bigint", [str(link[0]) for link in links])
        table.add("contact_id", "bigint", [str(link[1]) for link in links])
        table.add("type_id", "bigint", [str(link[2]) for link in links])
        table.add("category", "text", ["HUBSPOT_DEFINED"] * len(links))
        table.add("_fivetran_synced", "timestamp", self._synced(len(links)))
        return table

    def _stage_table(self) -> LandedTable:
        rows = [
            (pipeline, stage, order)
            for pipeline in (DEFAULT, ENTERPRISE)
            for order, stage in enumerate(pipeline.stages)
        ]
        table = LandedTable("deal_pipeline_stage")
        table.add("stage_id", "text", [stage.stage_id for _, stage, _ in rows])
        table.add("pipeline_id", "text", [pipeline.id for pipeline, _, _ in rows])
        table.add("label", "text", [stage.label for _, stage, _ in rows])
        table.add("display_order", "bigint", [str(order) for _, _, order in rows])
        table.add("probability", "number", [stage.probability for _, stage, _ in rows])
        table.add("closed_won", "boolean", [boolean_text(stage.won) for _, stage, _ in rows])
        table.add(
            "is_closed",
            "boolean",
            [boolean_text(stage.closed) if p.has_is_closed else None for p, stage, _ in rows],
        )
        table.add("active", "boolean", ["true"] * len(rows))
        table.add("_fivetran_deleted", "boolean", ["false"] * len(rows))
        table.add("_fivetran_synced", "timestamp", self._synced(len(rows)))
        return table

    def _merged_deal_table(self, merged: list[tuple[int, int]]) -> LandedTable:
        merged = sorted(merged)
        table = LandedTable("merged_deal")
        table.add("deal_id", "bigint", [str(pair[0]) for pair in merged])
        table.add("merged_deal_id", "bigint", [str(pair[1]) for pair in merged])
        table.add("_fivetran_synced", "timestamp", self._synced(len(merged)))
        return table


@dataclass(frozen=True)
class Stage:
    stage_id: str
    label: str
    probability: str
    won: bool
    closed: bool


@dataclass(frozen=True)
class Pipeline:
    id: str
    stages: tuple[Stage, ...]
    has_is_closed: bool  # the enterprise pipeline's stages land without is_closed (older sync)

    @property
    def won(self) -> str:
        return next(s.stage_id for s in self.stages if s.won)

    @property
    def lost(self) -> str:
        return next(s.stage_id for s in self.stages if s.closed and not s.won)

    @property
    def open(self) -> tuple[str, ...]:
        return tuple(s.stage_id for s in self.stages if not s.closed)


DEFAULT = Pipeline(
    "default",
    (
        Stage("appointmentscheduled", "Appointment scheduled", "0.2", False, False),
        Stage("qualifiedtobuy", "Qualified to buy", "0.4", False, False),
        Stage("presentationscheduled", "Presentation scheduled", "0.6", False, False),
        Stage("decisionmakerboughtin", "Decision maker bought-in", "0.8", False, False),
        Stage("contractsent", "Contract sent", "0.9", False, False),
        Stage("closedwon", "Closed won", "1.0", True, True),
        Stage("closedlost", "Closed lost", "0.0", False, True),
    ),
    True,
)
ENTERPRISE = Pipeline(
    "75190232",
    (
        Stage("75190233", "Discovery", "0.1", False, False),
        Stage("75190234", "Proposal", "0.5", False, False),
        Stage("75190235", "Negotiation", "0.75", False, False),
        Stage("75190236", "Won", "1.0", True, True),
        Stage("75190237", "Lost", "0.0", False, True),
    ),
    False,
)


def build_hubspot(
    leads: LeadRows,
    deals: DealRows,
    plans: tuple[CampaignPlan, ...],
    span: DateRange,
    rng: np.random.Generator,
) -> HubSpot:
    builder = _Builder(leads, deals, plans, span, rng)
    builder.build_contacts()
    contact = builder.contact_table()
    history = builder.history_table()
    deal_tables = builder.build_deals()
    return HubSpot(
        contact_ids=np.array([builder.lead_contact(i) for i in range(len(leads))], dtype=np.int64),
        deal_ids=np.array([builder.deal_id(j) for j in range(len(deals))], dtype=np.int64),
        tables=(contact, *deal_tables, history),
    )
