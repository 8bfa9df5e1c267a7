"""Grouped bar charts drawn on the server as inline SVG: no JavaScript, nothing from a CDN."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = (
    "#417690",  # the admin's own blue first
    "#e0a526",
    "#5b9a68",
    "#c05050",
    "#8a6bb5",
    "#4fa3a5",
    "#b07a4f",
    "#7f7f7f",
)

HEIGHT = 280
TOP = 34  # room for the legend
BOTTOM = 44  # room for the group labels
LEFT = 56  # room for the axis labels
RIGHT = 12
BAR = 14
BAR_GAP = 2
GROUP_GAP = 18


def nice_max(value: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at or above ``value``: a round top for the axis."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def tick_steps(top_value: int) -> int:
    """Equal steps that land on round numbers: 0-1-2, 0-1-2-3-4-5, 0-5-10-15-20, 0-20-…-100."""
    if top_value <= 2:
        return top_value
    return 4 if str(top_value)[0] == "2" else 5


def grouped_bar_chart(
    *,
    title: str,
    groups: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    unit: str,
    colors: Sequence[str] = PALETTE,
    description: str | None = None,
) -> SafeString:
    """An SVG with one cluster of bars per group and one bar per series in each cluster.

    ``series`` is ``[(name, [value per group])]``. Every bar carries a ``<title>`` (the
    browser's tooltip) with its exact value; the axis is scaled to a round maximum.
    ``description`` becomes the chart's ``<desc>`` (read by screen readers with the title).
    """
    per_group = max(len(series), 1) * (BAR + BAR_GAP) - BAR_GAP
    plot_width = max(len(groups), 1) * (per_group + GROUP_GAP) + GROUP_GAP
    legend_width = sum(28 + 7 * len(name) for name, _ in series)
    width = max(LEFT + plot_width + RIGHT, LEFT + legend_width + RIGHT)
    plot_height = HEIGHT - TOP - BOTTOM
    top_value = nice_max(max((v for _, values in series for v in values), default=0))

    def y(value: float) -> float:
        return TOP + plot_height - plot_height * value / top_value

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" width="{width}" '
        f'height="{HEIGHT}" viewBox="0 0 {width} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    if description:
        parts.append(f"<desc>{escape(description)}</desc>")
    steps = tick_steps(top_value)
    for tick in range(steps + 1):
        value = top_value * tick / steps
        ty = y(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{width - RIGHT}" y2="{ty:.1f}" '
            f'stroke="#ddd" stroke-width="1"/>'
        )
        label = f"{value:g}"
        parts.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="#666">{label}</text>'
        )
    parts.append(
        f'<text x="12" y="{TOP + plot_height / 2:.1f}" fill="#666" text-anchor="middle" '
        f'transform="rotate(-90 12 {TOP + plot_height / 2:.1f})">{escape(unit)}</text>'
    )

    x = LEFT + GROUP_GAP
    for index, group in enumerate(groups):
        for number, (name, values) in enumerate(series):
            value = values[index]
            bar_x = x + number * (BAR + BAR_GAP)
            top = y(value)
            color = colors[number % len(colors)]
            parts.append(
                f'<rect class="bar" x="{bar_x}" y="{top:.1f}" width="{BAR}" '
                f'height="{TOP + plot_height - top:.1f}" fill="{color}">'
                f"<title>{escape(name)}, {escape(group)}: {value} {escape(unit)}</title></rect>"
            )
        parts.append(
            f'<text x="{x + per_group / 2:.1f}" y="{TOP + plot_height + 16}" '
            f'text-anchor="middle" fill="#333">{escape(group)}</text>'
        )
        x += per_group + GROUP_GAP
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{width - RIGHT}" '
        f'y2="{TOP + plot_height}" stroke="#999" stroke-width="1"/>'
    )

    legend_x = LEFT
    for number, (name, _) in enumerate(series):
        color = colors[number % len(colors)]
        parts.append(
            f'<rect x="{legend_x}" y="10" width="12" height="12" fill="{color}"/>'
            f'<text x="{legend_x + 16}" y="20" fill="#333">{escape(name)}</text>'
        )
        legend_x += 28 + 7 * len(name)
    parts.append("</svg>")
    # Every piece of outside text above went through escape(); the rest is numbers.
    return mark_safe("".join(parts))  # noqa: S308  # nosec
