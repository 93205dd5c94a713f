"""Edges a user can see on a dark palette: the search field's frame and unchecked check boxes (in the
Options menu) had near-black outlines on a near-black window. Judged on grabs of real widgets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QAction, QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QProxyStyle, QStyle, QStyleFactory, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.ui.outlined_style import OUTLINE_CONTRAST, OutlinedFusionStyle
from desktop_app.ui.style import contrast_ratio, dark_palette, light_palette, set_widget_palette

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def best_contrast(image: QImage, background: QColor) -> float:
    """The strongest contrast any pixel of the grab has against the background it sits on."""
    return max(
        contrast_ratio(image.pixelColor(x, y), background)
        for x in range(image.width())
        for y in range(image.height())
    )


@pytest.fixture(params=["Fusion", "outlined"])
def style(request: pytest.FixtureRequest) -> Iterator[QStyle]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.style().name()
    made = QStyleFactory.create("Fusion") if request.param == "Fusion" else OutlinedFusionStyle()
    app.setStyle(made)
    yield made
    app.setStyle(before)


def grab_line_edit(qtbot: QtBot, palette: QPalette) -> QImage:
    field = QLineEdit()
    qtbot.addWidget(field)
    set_widget_palette(field, palette)
    field.resize(200, 28)
    return field.grab().toImage()


def grab_unchecked_menu_item(qtbot: QtBot, palette: QPalette) -> QImage:
    parent = QWidget()
    qtbot.addWidget(parent)
    menu = QMenu(parent)
    action = QAction("Start at login", menu)
    action.setCheckable(True)
    menu.addAction(action)
    set_widget_palette(menu, palette)
    menu.adjustSize()
    image = menu.grab().toImage()
    # The check box of the one item: left of its text, inside the menu's own frame.
    box = menu.actionGeometry(action)
    return image.copy(3, box.top(), 22, box.height())


@pytest.mark.parametrize(
    "grab", [grab_line_edit, grab_unchecked_menu_item], ids=["search field", "menu check box"]
)
def test_dark_outlines_stand_out_only_with_our_style(qtbot: QtBot, style: QStyle, grab) -> None:  # type: ignore[no-untyped-def]
    palette = dark_palette()
    window = palette.color(QPalette.ColorRole.Window)
    contrast = best_contrast(grab(qtbot, palette), window)
    if isinstance(style, OutlinedFusionStyle):
        assert contrast >= OUTLINE_CONTRAST, f"{contrast:.2f}:1"
    else:
        assert contrast < OUTLINE_CONTRAST, "plain Fusion is readable now: the proxy style may go"


def test_light_palette_is_drawn_exactly_as_fusion_draws_it(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.style().name()
    grabs = []
    try:
        for made in (QStyleFactory.create("Fusion"), OutlinedFusionStyle()):
            app.setStyle(made)
            grabs.append(
                (grab_line_edit(qtbot, light_palette()), grab_unchecked_menu_item(qtbot, light_palette()))
            )
    finally:
        app.setStyle(before)
    assert grabs[0] == grabs[1]


def test_a_link_label_follows_the_palette(qtbot: QtBot) -> None:
    """Its link is drawn in the palette's link colour after a switch to dark, readable on the window."""
    from desktop_app.ui.link_label import LinkLabel

    label = LinkLabel("Why hasn't my mail arrived?")
    qtbot.addWidget(label)
    set_widget_palette(label, light_palette())
    label.setPalette(dark_palette())
    dark = dark_palette()
    link = dark.color(QPalette.ColorRole.Link)
    assert f"color: {link.name()}" in label.text()
    assert contrast_ratio(link, dark.color(QPalette.ColorRole.Window)) >= 4.5


def test_a_focused_field_keeps_fusions_focus_ring(qtbot: QtBot) -> None:
    """The grey outline is for fields without focus: over the focus ring it hid where the focus was."""
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QStyleOptionFrame

    images = []
    for made in (QStyleFactory.create("Fusion"), OutlinedFusionStyle()):
        option = QStyleOptionFrame()
        option.rect = QRect(0, 0, 120, 24)
        option.palette = dark_palette()
        option.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_HasFocus
        image = QImage(120, 24, QImage.Format.Format_ARGB32)
        image.fill(dark_palette().color(QPalette.ColorRole.Window))
        painter = QPainter(image)
        made.drawPrimitive(QStyle.PrimitiveElement.PE_FrameLineEdit, option, painter, None)
        painter.end()
        images.append(image)
    assert images[0] == images[1]


class FusionAsUnderX11(QProxyStyle):
    """Fusion as the app gets it on X11, whose platform theme asks for pictures on dialog buttons
    (the tests' offscreen platform does not)."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def styleHint(self, hint, option=None, widget=None, returnData=None):  # type: ignore[no-untyped-def]
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 1
        return super().styleHint(hint, option, widget, returnData)


@pytest.mark.parametrize("ours", [False, True], ids=["Fusion under X11", "outlined"])
def test_dialog_buttons_carry_no_stock_picture_that_vanishes_on_dark(qtbot: QtBot, ours: bool) -> None:
    """The health panel's Close had Fusion's near-black "×" on a dark button (seen in a screenshot),
    Cancel a red one, while "Create address" had none."""
    from PySide6.QtWidgets import QDialogButtonBox

    from desktop_app.ui.health_dialog import HealthDialog

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.style().name()
    made = OutlinedFusionStyle(FusionAsUnderX11()) if ours else FusionAsUnderX11()
    app.setStyle(made)
    try:
        dialog = HealthDialog("quiet.otter@example.com")
        qtbot.addWidget(dialog)
        set_widget_palette(dialog, dark_palette())
        close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
        assert close is not None
        close.resize(close.sizeHint())
        image = close.grab().toImage()
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        qtbot.addWidget(box)
        pictures = [not b.icon().isNull() for b in (*box.buttons(), close)]
    finally:
        app.setStyle(before)
    button = dark_palette().color(QPalette.ColorRole.Button)
    # Pixels much darker than the button: the stock "×" (the text is light, the frame a mid grey).
    darker = sum(
        image.pixelColor(x, y).lightness() < button.lightness() - 25
        for x in range(4, image.width() - 4)
        for y in range(4, image.height() - 4)
    )
    if ours:
        assert darker == 0 and not any(pictures), (darker, pictures)
    else:
        assert darker > 10 and all(pictures), (darker, pictures)
