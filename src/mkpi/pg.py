"""PostgreSQL connection settings from the environment (the same variables as profiles.yml).

MKPI_PG_HOST (localhost), MKPI_PG_PORT (55432), MKPI_PG_USER (postgres),
MKPI_PG_PASSWORD (postgres), MKPI_PG_DATABASE (marketing). scripts/postgres.sh starts a
server that matches these defaults.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PgSettings:
    host: str = "localhost"
    port: int = 55432
    user: str = "postgres"
    password: str = "postgres"
    database: str = "marketing"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PgSettings:
        env = os.environ if env is None else env
        defaults = cls()
        port = env.get("MKPI_PG_PORT") or str(defaults.port)
        try:
            port_number = int(port)
        except ValueError:
            raise ValueError(f"MKPI_PG_PORT must be a port number, got {port!r}") from None
        return cls(
            host=env.get("MKPI_PG_HOST") or defaults.host,
            port=port_number,
            user=env.get("MKPI_PG_USER") or defaults.user,
            password=env.get("MKPI_PG_PASSWORD", defaults.password),
            database=env.get("MKPI_PG_DATABASE") or defaults.database,
        )

    def describe(self) -> str:
        """Where we connect, for messages (never the password)."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    def connect_kwargs(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.database,
            "application_name": "mkpi",
            "client_encoding": "UTF8",
        }


def connect(settings: PgSettings | None = None, connect_timeout: int = 10) -> Any:
    """A psycopg2 connection (autocommit off) for `settings`, default from the environment."""
    import psycopg2  # imported here so `mkpi` commands that never touch PostgreSQL don't need it

    settings = settings or PgSettings.from_env()
    return psycopg2.connect(**settings.connect_kwargs(), connect_timeout=connect_timeout)
