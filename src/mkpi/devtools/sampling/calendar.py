"""The generated date range, seasonality and random times of day (all vectorised)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SECONDS_PER_DAY = 86_400
# Relative demand by calendar month (Jan..Dec): summer dip, Q4 peak (Black Friday in November).
MONTH_SEASONALITY = np.array([1.0, 1.02, 1.06, 1.0, 0.96, 0.85, 0.68, 0.78, 1.05, 1.14, 1.32, 1.08])
WEEKDAY_FACTOR = np.array([1.08, 1.1, 1.06, 1.02, 0.92, 0.55, 0.5])  # Monday..Sunday
ANNUAL_GROWTH = 0.38


@dataclass(frozen=True)
class DateRange:
    """[start, end) in days; `end` is the export day: nothing after it has happened yet."""

    start: np.datetime64
    end: np.datetime64

    @classmethod
    def from_months(cls, start: str, months: int) -> DateRange:
        if months < 1:
            raise ValueError("months must be at least 1")
        first = np.datetime64(start, "D")
        month = first.astype("datetime64[M]")
        offset = first - month.astype("datetime64[D]")
        end = (month + months).astype("datetime64[D]") + offset
        return cls(first, end)

    @property
    def days(self) -> np.ndarray:
        return np.arange(self.start, self.end, dtype="datetime64[D]")

    @property
    def n_days(self) -> int:
        return int((self.end - self.start).astype(int))

    @property
    def start_s(self) -> np.datetime64:
        return self.start.astype("datetime64[s]")

    @property
    def end_s(self) -> np.datetime64:
        return self.end.astype("datetime64[s]")

    @property
    def month_starts(self) -> np.ndarray:
        first = self.start.astype("datetime64[M]")
        last = (self.end - 1).astype("datetime64[M]")
        return np.arange(first, last + 1).astype("datetime64[D]")


def month_of_year(days: np.ndarray) -> np.ndarray:
    """0..11 for datetime64 values."""
    return days.astype("datetime64[M]").astype(np.int64) % 12


def weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday for datetime64[D] values (1970-01-01 was a Thursday)."""
    return (days.astype("datetime64[D]").astype(np.int64) + 3) % 7


def demand_curve(span: DateRange, rng: np.random.Generator, noise: float = 0.12) -> np.ndarray:
    """Relative daily demand: growth x month seasonality x weekday x noise, summing to 1."""
    days = span.days
    years = np.arange(len(days)) / 365.25
    weights = (
        (1 + ANNUAL_GROWTH) ** years
        * MONTH_SEASONALITY[month_of_year(days)]
        * WEEKDAY_FACTOR[weekday(days)]
        * rng.lognormal(0.0, noise, len(days))
    )
    return weights / weights.sum()


def sample_days(curve: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` day offsets (from the range start) drawn from a demand curve."""
    return rng.choice(len(curve), size=n, p=curve)


def time_of_day(n: int, rng: np.random.Generator) -> np.ndarray:
    """Seconds after midnight (UTC): a business-hours bump plus an evening tail."""
    hours = np.where(rng.random(n) < 0.78, rng.normal(12.5, 3.0, n), rng.normal(20.0, 2.0, n))
    seconds = (np.mod(hours, 24.0) * 3600).astype(np.int64)
    return np.clip(seconds, 0, SECONDS_PER_DAY - 1)


def to_seconds(days_from_start: np.ndarray, span: DateRange) -> np.ndarray:
    """datetime64[s] at the start of the given day offsets."""
    return span.start_s + days_from_start.astype("timedelta64[D]").astype("timedelta64[s]")


def days_as_seconds(days: np.ndarray | float) -> np.ndarray:
    """A float number of days as timedelta64[s]."""
    return (np.asarray(days) * SECONDS_PER_DAY).astype(np.int64).astype("timedelta64[s]")
