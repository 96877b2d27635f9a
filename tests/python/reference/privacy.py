"""Reference: the personal-data rules of docs/raw-data.md ("Personal data"), in plain Python.

An email-shaped value (an address anywhere in it: local part, `@` or URL-encoded `%40`, dotted
domain with a top-level label of two letters or more) is replaced, whole, by
`email_<md5(salt + '|' + the trimmed, lower-cased value)>`; the email column becomes that hash.
"""

from __future__ import annotations

import hashlib
import re

DEFAULT_SALT = "mkpi-public-default-salt"
EMAIL = re.compile(r"[a-z0-9._%+-]+(?:@|%40)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", re.IGNORECASE)


def salted_hash(value: str, salt: str = DEFAULT_SALT) -> str:
    return hashlib.md5(f"{salt}|{value.strip().lower()}".encode()).hexdigest()


def is_email_shaped(value: str | None) -> bool:
    return value is not None and EMAIL.search(value) is not None


def mask(value: str | None, salt: str = DEFAULT_SALT) -> str | None:
    """The value, or its token when it carries an address."""
    if value is None or not is_email_shaped(value):
        return value
    return "email_" + salted_hash(value, salt)


def email_hash(value: str | None, salt: str = DEFAULT_SALT) -> str | None:
    """The email column's hash; an already masked address keeps its hash."""
    if value is None or value.strip() == "":
        return None
    if re.fullmatch(r"email_[0-9a-f]{32}", value.strip()):
        return value.strip()[len("email_") :]
    return salted_hash(value, salt)
