"""Readable random local parts, local validation of custom ones, and strong passwords."""

from __future__ import annotations

import re
import secrets

from desktop_app.core.errors import UsageError

_ADJECTIVES = (
    "amber", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "dapper", "eager",
    "fancy", "gentle", "golden", "happy", "humble", "jolly", "keen", "lively", "lucky", "mellow",
    "misty", "noble", "olive", "plucky", "proud", "quiet", "rapid", "rosy", "rustic", "shiny",
    "silent", "silver", "sly", "snowy", "solar", "steady", "sunny", "swift", "tidy", "tiny",
    "vivid", "warm", "wild", "windy", "witty", "young", "zesty", "breezy", "cheery", "frosty",
)  # fmt: skip
_ANIMALS = (
    "otter", "badger", "beaver", "bison", "camel", "crane", "dingo", "eagle", "falcon", "ferret",
    "finch", "fox", "gecko", "heron", "hippo", "ibis", "jackal", "koala", "lemur", "lynx",
    "magpie", "marten", "moose", "newt", "ocelot", "orca", "owl", "panda", "puffin", "quail",
    "rabbit", "raven", "robin", "seal", "shrew", "sloth", "stoat", "swan", "tapir", "tiger",
    "toucan", "turtle", "walrus", "weasel", "whale", "wombat", "yak", "zebra", "bobcat", "pelican",
)  # fmt: skip

LOCAL_PART_MIN = 3
LOCAL_PART_MAX = 64
# Conservative on purpose: what every mail.tm-compatible service accepts (letters, digits, . _ -),
# starting and ending with a letter or digit, no "..".
_LOCAL_PART = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?")
_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}")


def random_local_part() -> str:
    """Like ``quiet.otter4821``: easy to read out, 25 million combinations."""
    return f"{secrets.choice(_ADJECTIVES)}.{secrets.choice(_ANIMALS)}{secrets.randbelow(10_000):04d}"


def validate_local_part(value: str) -> str:
    """The normalised (lower-case) local part, or ``UsageError`` saying what is wrong with it."""
    local = value.strip().lower()
    if not LOCAL_PART_MIN <= len(local) <= LOCAL_PART_MAX:
        raise UsageError(f"The name must be {LOCAL_PART_MIN} to {LOCAL_PART_MAX} characters long.")
    if not _LOCAL_PART.fullmatch(local) or ".." in local:
        raise UsageError(
            "The name may use letters a–z, digits and . _ - only, and must start and end with a letter "
            "or digit."
        )
    return local


def split_address(value: str, *, strict: bool = True) -> tuple[str, str]:
    """``Local@Domain`` → (local, domain), lower-cased and checked.

    ``strict`` applies the rules for names we create; an existing address only needs to look like one.
    """
    text = value.strip().lower()
    local, sep, domain = text.rpartition("@")
    if not sep or not local or any(c.isspace() for c in local):
        raise UsageError(f"“{value.strip()}” is not an e-mail address (name@domain).")
    if not _DOMAIN.fullmatch(domain):
        raise UsageError(f"“{domain}” is not a valid domain.")
    return (validate_local_part(local) if strict else local), domain


def generate_password() -> str:
    """32 URL-safe characters (192 bits): strong, and safe to paste anywhere."""
    return secrets.token_urlsafe(24)
