"""The provider the user last chose (``--local``, ``--api-url``), remembered in the data directory.

An instance started in the background by a command (``temp-inbox new`` with no instance running) has no
provider option of its own; it must not fall back to mail.tm when the user works with the local server.
The embedded server gets a new port every run, so the choice is kept as the options, not as URLs.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.paths import write_private_file

log = logging.getLogger(__name__)

CHOICE_FILENAME = "last-provider.json"


@dataclass(frozen=True, slots=True)
class ProviderChoice:
    local: bool = False
    api_url: str | None = None
    hub_url: str | None = None

    @property
    def explicit(self) -> bool:
        """Whether any provider option was given (no option means mail.tm, or the remembered one)."""
        return self.local or bool(self.api_url)


def save_choice(data_dir: Path, choice: ProviderChoice) -> None:
    payload = {"local": choice.local, "api_url": choice.api_url, "hub_url": choice.hub_url}
    try:
        write_private_file(data_dir / CHOICE_FILENAME, json.dumps(payload).encode())
    except OSError as exc:  # a convenience for later background starts: never a reason not to start
        log.warning("could not remember the provider: %s", exc)


def load_choice(data_dir: Path) -> ProviderChoice:
    """The remembered choice; the default provider when none was saved or the file is unreadable."""
    try:
        data = json.loads((data_dir / CHOICE_FILENAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ProviderChoice()
    except (OSError, ValueError) as exc:
        log.warning("ignoring the remembered provider: %s", exc)
        return ProviderChoice()
    if not isinstance(data, dict):
        return ProviderChoice()
    api_url, hub_url = data.get("api_url"), data.get("hub_url")
    return ProviderChoice(
        local=data.get("local") is True,
        api_url=api_url if isinstance(api_url, str) and api_url else None,
        hub_url=hub_url if isinstance(hub_url, str) and hub_url else None,
    )
