"""The empathy map as a picture: sections laid out like the canvas, sticky notes most-voted first.

Pure (data in, PNG bytes out) with Pillow's built-in scalable font, so it needs no font files.
A section shows the notes that fit and counts the rest.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

WIDTH = 1600
HEADER = 150
GAP = 16
NOTE_COLOURS = ("#fff3a0", "#c8f2c2", "#c9e4ff", "#ffd6e7", "#ffe0b3", "#e4d4ff", "#d0f4f0", "#f2f2f2")


@dataclass(frozen=True)
class CanvasSection:
    name: str
    notes: list[tuple[str, int]]  # (text, votes), most-voted first


@dataclass(frozen=True)
class CanvasArea:
    """One box holding sections side by side: Dave Gray's *Think and feel*, with pains and gains
    inside it, under the outside world (sees, says, does, hears)."""

    name: str
    sections: list[CanvasSection]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def render_canvas(*, title: str, goal: str, sections: list[CanvasSection], area: CanvasArea | None = None) -> bytes:
    """Two columns of sections (two to four rows), then the area across the width; returns PNG bytes."""
    columns = 2
    rows = (len(sections) + 1) // columns
    cell_w = (WIDTH - GAP * (columns + 1)) // columns
    cell_h = 460
    area_h = cell_h + 70 if area is not None else 0
    height = HEADER + rows * (cell_h + GAP) + GAP + (area_h + GAP if area is not None else 0)
    image = Image.new("RGB", (WIDTH, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.text((GAP * 2, 24), textwrap.shorten(title, 80, placeholder="…"), fill="#1d1c1d", font=_font(44))
    draw.text((GAP * 2, 88), textwrap.shorten(goal, 140, placeholder="…"), fill="#555555", font=_font(24))
    for index, section in enumerate(sections):
        x = GAP + (index % columns) * (cell_w + GAP)
        y = HEADER + (index // columns) * (cell_h + GAP)
        _draw_section(draw, section, (x, y, cell_w, cell_h), NOTE_COLOURS[index % len(NOTE_COLOURS)])
    if area is not None:
        _draw_area(draw, area, (GAP, HEADER + rows * (cell_h + GAP), WIDTH - 2 * GAP, area_h), len(sections))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _draw_area(draw: ImageDraw.ImageDraw, area: CanvasArea, box: tuple[int, int, int, int], first: int) -> None:
    x, y, w, h = box
    draw.rounded_rectangle((x, y, x + w, y + h), radius=18, outline="#7a6fb0", width=3, fill="#f4f2fb")
    draw.text((x + 16, y + 12), area.name, fill="#1d1c1d", font=_font(34))
    count = max(1, len(area.sections))
    inner_w = (w - GAP * (count + 1)) // count
    for index, section in enumerate(area.sections):
        box = (x + GAP + index * (inner_w + GAP), y + 60, inner_w, h - 60 - GAP)
        _draw_section(draw, section, box, NOTE_COLOURS[(first + index) % len(NOTE_COLOURS)])


def _draw_section(draw: ImageDraw.ImageDraw, section: CanvasSection, box: tuple[int, int, int, int],
                  colour: str) -> None:
    x, y, w, h = box
    draw.rounded_rectangle((x, y, x + w, y + h), radius=14, outline="#b0b0b0", width=2, fill="#fafafa")
    draw.text((x + 16, y + 12), f"{section.name} ({len(section.notes)})", fill="#1d1c1d", font=_font(30))
    columns = 3 if w > 600 else 2
    note_w, note_h = (w - 16 * (columns + 1)) // columns, 170
    font = _font(18)
    slots = [(x + 16 + col * (note_w + 16), y + 62 + row * (note_h + 16))
             for row in range(2) for col in range(columns)]
    shown = section.notes[: len(slots)]
    if len(section.notes) > len(slots):
        shown = section.notes[: len(slots) - 1]
    for (nx, ny), (text, votes) in zip(slots, shown, strict=False):
        draw.rectangle((nx, ny, nx + note_w, ny + note_h), fill=colour, outline="#d4c36a")
        lines = textwrap.wrap(" ".join(text.split()), width=max(10, note_w // 10))[:5]
        if len(lines) == 5:
            lines[-1] = textwrap.shorten(lines[-1] + " …", note_w // 10, placeholder="…")
        draw.multiline_text((nx + 10, ny + 10), "\n".join(lines), fill="#1d1c1d", font=font, spacing=4)
        for dot in range(min(votes, 12)):
            cx = nx + 18 + dot * 20
            draw.ellipse((cx - 7, ny + note_h - 24, cx + 7, ny + note_h - 10), fill="#c0392b")
        if votes > 12:
            draw.text((nx + 18 + 12 * 20, ny + note_h - 28), f"{votes}", fill="#c0392b", font=font)
    rest = len(section.notes) - len(shown)
    if rest > 0:
        nx, ny = slots[-1]
        draw.text((nx + 20, ny + note_h // 2 - 12), f"+{rest} more", fill="#555555", font=_font(26))
