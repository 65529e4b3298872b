"""Figures as the statistics page shows them: a table (rows of labelled values) and its
chart, an SVG drawn here by pygal and put inline in the page.

Our Content-Security-Policy allows no script and no inline style, and the portal keeps
only our fragment: pygal's script and ``<style>`` are dropped, and statistics.css colours
the charts by pygal's classes. Labels are user data (category names, subjects): lxml
escapes them, and characters XML cannot hold are removed first. Each chart is an image
named by its title; the table beside it carries the same data for screen readers.
"""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pygal
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

# pygal adds an import hook for its map plugins (unused here) that only has the old
# find_module: Python then warns at every import that reaches it. We take it out.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

LINE, BAR, HBAR, PIE, DOT, GROUPED = "line", "bar", "hbar", "pie", "dot", "grouped"
NO_DATA = _l("No ticket to show.")
LABEL_MAX = 40  # characters of a label inside a chart (the table has them whole)
LONG_SERIES = 31  # past this many rows, a table folds away
CROWDED = 15  # past this many points, only some of their labels are drawn


@dataclass
class Row:
    label: str  # the row's header, as shown
    values: list[Any]  # numbers (or text), as the CSV gives them
    shown: list[str]  # the same, formatted for the reader
    csv_label: str | None = None  # the header in the CSV, when it differs (ISO dates)
    url: str | None = None  # the label links there (a ticket)


@dataclass
class Table:
    slug: str  # in the CSV's URL and file name
    title: str
    headers: list[str]  # the rows' header column first, then one per value
    rows: list[Row]
    chart: str | None = None  # LINE, BAR…; None: a table only
    series: list[int] = field(default_factory=lambda: [0])  # value columns the chart draws
    note: str | None = None  # what the figure counts
    chart_labels: list[str] | None = None  # shorter labels for the chart (dates)

    @property
    def long(self) -> bool:
        return len(self.rows) > LONG_SERIES


def clean_label(text: object, limit: int = LABEL_MAX) -> str:
    """A label safe in XML and short enough for a chart."""
    kept = "".join(
        " " if char.isspace() else char
        for char in str(text)
        if unicodedata.category(char) not in ("Cc", "Cs", "Cn") or char.isspace()
    )
    kept = " ".join(kept.split())
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"


def _tidy(title: str):
    """pygal's tree without script, style, comments nor per-point descriptions; an
    image named by its title (the table beside it says the rest)."""

    def tidy(root):
        for element in list(root.iter()):
            for child in list(element):
                tag = child.tag if isinstance(child.tag, str) else ""
                if tag.rsplit("}", 1)[-1] in ("", "script", "style", "desc"):
                    element.remove(child)
            # pygal's ids repeat from one chart to the next, and nothing refers to them.
            element.attrib.pop("style", None)
            element.attrib.pop("id", None)
        root.set("class", "hd-chart__svg pygal-chart")
        root.set("role", "img")
        root.set("aria-label", title)
        for child in root:
            if child.tag.rsplit("}", 1)[-1] == "title":
                child.text = title
        return root

    return tidy


def _options(table: Table, **extra) -> dict[str, Any]:
    options = dict(
        js=[],
        css=[],
        disable_xml_declaration=True,
        width=800,
        height=360,
        show_legend=False,
        legend_at_bottom=True,
        truncate_label=-1,  # our labels are cut already
        truncate_legend=-1,
        no_data_text=str(NO_DATA),
        print_values=False,
        margin=16,
    )
    options.update(extra)
    return options


def _values(table: Table, column: int) -> list[float | None]:
    return [_number(row.values[column]) for row in table.rows]


def _number(value) -> float | None:
    return None if value is None else float(value)


def _chart(table: Table):
    labels = [clean_label(label) for label in table.chart_labels or [r.label for r in table.rows]]
    kind = table.chart
    rotation = 30 if len(labels) > 6 else 0
    if kind == LINE:
        many = len(labels) > CROWDED
        chart = pygal.Line(
            **_options(
                table,
                x_label_rotation=rotation,
                margin_right=72,  # room for the last label, turned
                show_dots=not many,
                show_minor_x_labels=not many,
                x_labels_major_count=10,
                include_x_axis=True,
            )
        )
        chart.x_labels = labels
        chart.add(clean_label(table.headers[1]), _values(table, 0))
    elif kind in (BAR, GROUPED):
        several = len(table.series) > 1
        chart = pygal.Bar(**_options(table, show_legend=several, x_label_rotation=rotation))
        chart.x_labels = labels
        for column in table.series:
            chart.add(clean_label(table.headers[column + 1]), _values(table, column))
    elif kind == HBAR:
        # Drawn bottom up: the first row goes last, to be on top.
        chart = pygal.HorizontalBar(**_options(table, height=max(160, 40 + 30 * len(labels))))
        chart.x_labels = labels[::-1]
        chart.add(clean_label(table.headers[1]), _values(table, 0)[::-1])
    elif kind == PIE:
        chart = pygal.Pie(**_options(table, show_legend=True, inner_radius=0.4))
        for label, value in zip(labels, _values(table, 0), strict=True):
            if value:
                chart.add(label, [value])
    elif kind == DOT:
        chart = pygal.Dot(
            **_options(table, height=320, x_labels_major_every=3, show_minor_x_labels=False)
        )
        chart.x_labels = [clean_label(header) for header in table.headers[1:]]
        for label, row in zip(labels, table.rows, strict=True):
            chart.add(label, [_number(v) for v in row.values])
    else:
        raise ValueError(kind)
    return chart


def svg(table: Table) -> Markup | None:
    """The chart of ``table``, as inline SVG; None for a table without chart."""
    if table.chart is None:
        return None
    chart = _chart(table)
    chart.add_xml_filter(_tidy(clean_label(table.title, limit=200)))
    return Markup(chart.render(is_unicode=True))
