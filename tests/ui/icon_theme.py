"""Icon-theme helpers for widget tests: a throw-away theme with one solid-coloured icon, and a pixel check
that tells whether that icon (or a bundled fallback) is what was drawn."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtGui import QColor, QIcon, QImage


def has_colour(image: QImage, colour: QColor) -> bool:
    """Some clearly visible pixel of about this colour (antialiased edges are partly transparent)."""

    def near(c: QColor) -> bool:
        return (
            c.alpha() > 100
            and max(
                abs(c.red() - colour.red()), abs(c.green() - colour.green()), abs(c.blue() - colour.blue())
            )
            < 24
        )

    return any(near(image.pixelColor(x, y)) for x in range(image.width()) for y in range(image.height()))


@contextmanager
def one_icon_theme(
    folder: Path, theme: str, context: str, size: int, icon: str, colour: str
) -> Iterator[None]:
    """Install theme ``theme`` under ``folder`` whose only icon, ``context/icon``, is solid ``colour``;
    the previous theme and search paths come back afterwards."""
    directory = f"{size}x{size}/{context}"
    root = folder / "icons" / theme
    (root / directory).mkdir(parents=True)
    (root / "index.theme").write_text(
        f"[Icon Theme]\nName={theme}\nDirectories={directory}\n\n[{directory}]\nSize={size}\nType=Fixed\n"
    )
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(QColor(colour))
    image.save(str(root / directory / f"{icon}.png"))
    paths, name = QIcon.themeSearchPaths(), QIcon.themeName()
    QIcon.setThemeSearchPaths([str(folder / "icons")])
    QIcon.setThemeName(theme)
    try:
        yield
    finally:
        QIcon.setThemeSearchPaths(paths)
        QIcon.setThemeName(name)
