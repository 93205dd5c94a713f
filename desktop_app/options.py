"""What one launch was asked to do: the parsed command line (``cli.parse`` builds it), shared by the
command line and the composition root so that neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from desktop_app.core.provider_choice import ProviderChoice, load_choice, save_choice

# How long a launch waits for an instance that is starting (QtWebEngine takes seconds) to answer.
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Options:
    data_dir: Path
    local: bool
    api_url: str | None
    hub_url: str | None
    background: bool
    command: str | None
    args: dict[str, Any]
    qt_args: tuple[str, ...] = ()  # for the QApplication: Qt's own options, as Qt parses them

    def instance_argv(self) -> list[str]:
        """The global options, to start an instance that matches this invocation."""
        argv = ["--data-dir", str(self.data_dir)]
        if self.local:
            argv.append("--local")
        if self.api_url:
            argv += ["--api-url", self.api_url]
        if self.hub_url:
            argv += ["--hub-url", self.hub_url]
        return argv

    @property
    def provider_choice(self) -> ProviderChoice:
        return ProviderChoice(self.local, self.api_url, self.hub_url)


def with_remembered_provider(options: Options) -> Options:
    """The provider options the instance starts with, remembering the user's choice for next time.

    An instance started by a command (``--background``) without provider options takes the one the
    user last chose; any other start is a choice, and is remembered."""
    choice = options.provider_choice
    if options.background and not choice.explicit:
        remembered = load_choice(options.data_dir)
        return replace(
            options, local=remembered.local, api_url=remembered.api_url, hub_url=remembered.hub_url
        )
    save_choice(options.data_dir, choice)
    return options
