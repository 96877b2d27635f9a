"""Google Search Console as Fivetran lands it: `keyword_site_report_by_site`.

Each contract `keyword_rankings` row (day, keyword, position) becomes 1-3 report rows of that day
and query over (country, device), on one or two sites, whose impressions-weighted mean position
rounds half up to the contract's position (docs/connectors.md section 8). Queries land in mixed
case with stray spaces (the contract keyword is lower(trim(query))). A few days of a keyword have
only rows without impressions, whose plain mean gives the position. Warts the connector must
drop or fold: extra 0-impression rows, anonymised rows (empty query), image and news rows, and a
few exact copies. The money keywords and one search volume each go to files/money_keywords.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mkpi.devtools.sampling.frame import Labels, TableData
from mkpi.devtools.sampling.landing.tables import ZULU, LandedTable, format_timestamps

REPORT = "keyword_site_report_by_site"
SITES = ("https://www.mkpi-sample.io/", "https://blog.mkpi-sample.io/")
COUNTRIES = ("usa", "deu", "gbr", "fra", "swe", "nor")
DEVICES = ("DESKTOP", "MOBILE", "TABLET")
OTHER_SEARCH_TYPES = ("image", "news")
SEARCH_STREAM = 44  # seed spawn key of this builder, under the landing's own stream
TWO_SITES, ALL_ZERO, EXTRA_ZERO, ANONYMISED, NOT_WEB, COPIED = 0.3, 0.02, 0.05, 0.03, 0.03, 0.005


@dataclass(frozen=True)
class SearchConsoleLanding:
    tables: tuple[LandedTable, ...]  # search_console/<table>
    money_keywords: LandedTable  # files/money_keywords


def _weighted_split(position: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """1-3 (impressions, position in hundredths) whose impressions-weighted mean is strictly
    within half a position of `position` (never exactly at .5, so rounding is unambiguous)."""
    n = int(rng.integers(1, 4))
    for _ in range(20):
        impressions = [int(i) for i in rng.integers(1, 400, n)]
        hundredths = [max(100, round((position + rng.normal(0, 1.2)) * 100)) for _ in range(n)]
        total = sum(impressions)
        weighted = sum(p * i for p, i in zip(hundredths, impressions, strict=True))
        # mean = weighted / (100 total): P - 0.5 < mean < P + 0.5
        if 100 * total * (2 * position - 1) < 2 * weighted < 100 * total * (2 * position + 1):
            return list(zip(impressions, hundredths, strict=True))
    return [(int(rng.integers(1, 400)), position * 100)]


def _zero_split(position: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Rows without impressions whose plain mean position rounds to `position`."""
    offset = int(rng.integers(0, 40))
    if position * 100 - offset < 100:
        return [(0, position * 100)]
    return [(0, position * 100 - offset), (0, position * 100 + offset)]


def _query_spelling(keyword: str, rng: np.random.Generator) -> str:
    """The keyword as a user typed it: mostly as is, sometimes capitalised or padded."""
    draw = rng.random()
    if draw < 0.1:
        return keyword.title()
    if draw < 0.15:
        return keyword.upper()
    if draw < 0.2:
        return f" {keyword} "
    return keyword


def money_keywords_table(rankings: TableData) -> LandedTable:
    """The money keywords of the contract rankings, each with one search volume (the median of
    its daily volumes, rounded)."""
    keyword = rankings["keyword"]
    if not isinstance(keyword, Labels):
        raise TypeError("keyword_rankings.keyword: expected labels")
    codes = np.asarray(keyword.codes)
    is_money = np.asarray(rankings["is_money_keyword"], dtype=bool)
    volume = np.asarray(rankings["search_volume"], dtype=float)
    names: list[str | None] = []
    volumes: list[str | None] = []
    for code in sorted(set(codes[is_money].tolist())):
        days = (codes == code) & is_money
        if not np.all(is_money[codes == code]):
            raise ValueError(f"keyword {keyword.labels[code]!r}: is_money_keyword not constant")
        known = volume[days][~np.isnan(volume[days])]
        names.append(keyword.labels[code])
        volumes.append(str(round(float(np.median(known)))) if len(known) else None)
    table = LandedTable("money_keywords")
    table.add("keyword", "text", names)
    table.add("search_volume", "bigint", volumes)
    return table


def build_search_console(rankings: TableData, seed: int) -> SearchConsoleLanding:
    """The keyword report landing the contract `keyword_rankings` rows."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(8, SEARCH_STREAM)))
    keyword = rankings["keyword"]
    if not isinstance(keyword, Labels):
        raise TypeError("keyword_rankings.keyword: expected labels")
    days = np.asarray(rankings["ranked_on"], dtype="datetime64[D]")
    codes = np.asarray(keyword.codes)
    positions = np.asarray(rankings["position"], dtype=np.int64)
    combos = [(c, d) for c in COUNTRIES for d in DEVICES]
    rows: list[tuple[str, str, str | None, str, str, str, int, int]] = []
    for day_value, code, position in zip(days, codes, positions, strict=True):
        day = str(day_value)
        keyword_text = str(keyword.labels[code])
        position = int(position)
        split = _zero_split(position, rng) if rng.random() < ALL_ZERO else []
        split = split or _weighted_split(position, rng)
        if split[0][0] > 0 and rng.random() < EXTRA_ZERO:  # no impressions: weighs nothing
            split.append((0, int(rng.integers(100, 9000))))
        two_sites = rng.random() < TWO_SITES
        picks = rng.choice(len(combos), size=len(split) + 3, replace=False)
        for i, (impressions, hundredths) in enumerate(split):
            site = SITES[i % 2] if two_sites else SITES[0]
            country, device = combos[picks[i]]
            query = _query_spelling(keyword_text, rng)
            rows.append((day, site, query, country, device, "web", impressions, hundredths))
        extra = len(split)
        if rng.random() < ANONYMISED:  # a rare query, anonymised: no query text
            country, device = combos[picks[extra]]
            rows.append((day, SITES[0], None, country, device, "web", 1, 1000))
        if rng.random() < NOT_WEB:  # the same query in image or news search
            country, device = combos[picks[extra + 1]]
            search_type = OTHER_SEARCH_TYPES[int(rng.integers(0, 2))]
            hundredths = int(rng.integers(100, 3000))
            rows.append((day, SITES[0], keyword_text, country, device, search_type, 5, hundredths))
        if rng.random() < COPIED:  # the connector landed a row twice
            rows.append(rows[-1])
    return SearchConsoleLanding((_report_table(rows),), money_keywords_table(rankings))


def _report_table(rows: list[tuple[str, str, str | None, str, str, str, int, int]]) -> LandedTable:
    day = np.array([r[0] for r in rows], dtype="datetime64[D]")
    synced = day.astype("datetime64[s]") + np.timedelta64(30 * 3600, "s")  # next day, 06:00
    table = LandedTable(REPORT)
    table.add("date", "date", [r[0] for r in rows])
    table.add("site", "text", [r[1] for r in rows])
    table.add("query", "text", [r[2] for r in rows])
    table.add("country", "text", [r[3] for r in rows])
    table.add("device", "text", [r[4] for r in rows])
    table.add("search_type", "text", [r[5] for r in rows])
    table.add("impressions", "bigint", [str(r[6]) for r in rows])
    table.add("position", "number", [f"{r[7] // 100}.{r[7] % 100:02d}" for r in rows])
    table.add("_fivetran_synced", "timestamp", list(format_timestamps(synced, ZULU)))
    return table
