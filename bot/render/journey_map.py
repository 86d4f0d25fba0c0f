"""The journey map as a picture: stages across, one emotion curve per layer (with a legend),
pains marked on the curve. Pure (data in, PNG bytes out).

Drawn with matplotlib's object API on the Agg canvas (no pyplot: no global state, safe on the
after-ack threads). User text is drawn literally: `$` would start mathtext, so it is escaped.
A layer with no emotion at a stage leaves a gap in its curve.
"""

from __future__ import annotations

import io
import math
import textwrap
import warnings
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "h")


@dataclass(frozen=True)
class Curve:
    name: str
    emotions: list[int | None]  # one per stage
    pains: list[int]  # pain points per stage


def _literal(text: str, width: int) -> str:
    return textwrap.shorten(" ".join(text.split()), width, placeholder="…").replace("$", r"\$") or "·"


def render_map(*, title: str, stages: list[str], curves: list[Curve], labels: dict[str, str]) -> bytes:
    """`labels`: the picture's own words (axis, legend), from the prompts."""
    width = max(8.0, 1.3 * len(stages) + 3)
    figure = Figure(figsize=(width, 5.2), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    positions = list(range(len(stages)))
    for index, curve in enumerate(curves):
        colour, marker = COLOURS[index % len(COLOURS)], MARKERS[index % len(MARKERS)]
        offset = (index - (len(curves) - 1) / 2) * 0.06  # equal emotions stay distinguishable
        ys = [math.nan if e is None else e + offset for e in curve.emotions]
        axes.plot(positions, ys, color=colour, marker=marker, linewidth=2.2, markersize=7,
                  label=_literal(curve.name, 40))
        marked = [(x, y - 0.22, 40 + 12 * min(pains, 6)) for x, y, pains in zip(positions, ys, curve.pains,
                                                                                 strict=False)
                  if pains and not math.isnan(y)]
        if marked:  # one scatter per curve: a call per marker costs ~15 ms each
            xs, pys, sizes = zip(*marked, strict=True)
            axes.scatter(xs, pys, marker="v", s=sizes, color=colour, edgecolors="#000000", linewidths=0.6, zorder=3)
    axes.set_xticks(positions)
    axes.set_xticklabels([textwrap.fill(_literal(s, 40), 14) for s in stages], fontsize=9)
    axes.set_xlim(-0.5, max(0.5, len(stages) - 0.5))
    axes.set_ylim(-2.6, 2.5)
    axes.set_yticks([-2, -1, 0, 1, 2])
    axes.set_yticklabels(["-2", "-1", "0", "+1", "+2"])
    axes.set_ylabel(labels["emotion"])
    axes.axhline(0, color="#999999", linewidth=0.8, linestyle="--")
    axes.grid(axis="x", color="#eeeeee")
    axes.set_title(_literal(title, 90), fontsize=14, loc="left")
    if curves:
        axes.scatter([], [], marker="v", color="#777777", edgecolors="#000000", label=labels["pains"])
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    else:
        axes.text(0.5, 0.5, labels["empty"], transform=axes.transAxes, ha="center", va="center", color="#777777")
    figure.tight_layout()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs the font lacks (emoji) are drawn as boxes, not errors
        figure.savefig(buffer, format="png")
    return buffer.getvalue()
