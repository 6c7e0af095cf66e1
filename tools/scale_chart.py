"""docs/scale.svg from bench/bench_scale.py's figures: one small panel per curve, users on a log axis.

    python bench/bench_scale.py --json /tmp/scale.json && python tools/scale_chart.py /tmp/scale.json docs/scale.svg

Plain SVG written by hand (no plotting library): each panel plots a figure against the number of users, with
its target (issue 32's "Done when") as a dashed line where it has one.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

PANELS = (  # key, title, unit, target
    ("startup_cpu_s", "serve --users N: start-up", "CPU s", 15.0),
    ("tenant_cpu_s", "new tenant of N users", "CPU s", 15.0),
    ("rss_ready_mb", "RSS at ready", "MB", 1536.0),
    ("full_pass_cpu_s", "first full pass, 500 a page", "CPU s", 2.0),
    ("lookup_cpu_ms", "username lookup (after the first)", "CPU ms", 1.0),
    ("data_json_peak_growth_mb", "data.json peak RSS growth", "MB", 200.0),
)
W, H, PAD = 300, 190, 42  # one panel
COLUMNS = 3


def panel(rows: list[dict[str, Any]], key: str, title: str, unit: str, target: float | None, x0: int, y0: int) -> str:
    points = [(r["users"], r[key]) for r in rows if key in r and r[key] == r[key]]
    top = max([v for _, v in points] + ([target] if target else [])) * 1.15 or 1.0
    lo, hi = math.log10(min(u for u, _ in points)), math.log10(max(u for u, _ in points))
    span = (hi - lo) or 1.0

    def x(users: float) -> float:
        return x0 + PAD + (math.log10(users) - lo) / span * (W - PAD - 14)

    def y(value: float) -> float:
        return y0 + H - 28 - value / top * (H - 58)

    out = [f'<text x="{x0 + PAD}" y="{y0 + 16}" class="t">{title} ({unit})</text>',
           f'<line x1="{x0 + PAD}" y1="{y(0):.1f}" x2="{x0 + W - 14}" y2="{y(0):.1f}" class="a"/>',
           f'<line x1="{x0 + PAD}" y1="{y(0):.1f}" x2="{x0 + PAD}" y2="{y(top):.1f}" class="a"/>']
    for users, _ in points:
        out.append(f'<text x="{x(users):.1f}" y="{y(0) + 14:.1f}" class="l" text-anchor="middle">'
                   f'{int(users) // 1000}k</text>')
    for fraction in (0.5, 1.0):
        value = top / 1.15 * fraction
        out.append(f'<text x="{x0 + PAD - 4}" y="{y(value) + 4:.1f}" class="l" text-anchor="end">{value:.3g}</text>')
    if target:
        out.append(f'<line x1="{x0 + PAD}" y1="{y(target):.1f}" x2="{x0 + W - 14}" y2="{y(target):.1f}" class="g"/>')
        out.append(f'<text x="{x0 + W - 14}" y="{y(target) - 3:.1f}" class="l" text-anchor="end">'
                   f'target {target:g}</text>')
    path = " ".join(f"{'M' if n == 0 else 'L'}{x(u):.1f},{y(v):.1f}" for n, (u, v) in enumerate(points))
    out.append(f'<path d="{path}" class="c"/>')
    for users, value in points:
        out.append(f'<circle cx="{x(users):.1f}" cy="{y(value):.1f}" r="3" class="p"/>')
        out.append(f'<text x="{x(users) + 5:.1f}" y="{y(value) - 5:.1f}" class="v">{value:.3g}</text>')
    return "\n".join(out)


def chart(rows: list[dict[str, Any]]) -> str:
    shown = [p for p in PANELS if any(r.get(p[0], math.nan) == r.get(p[0], math.nan) for r in rows)]  # NaN: not run
    lines = (len(shown) + COLUMNS - 1) // COLUMNS
    width, height = W * COLUMNS, H * lines
    body = [panel(rows, *spec, (n % COLUMNS) * W, (n // COLUMNS) * H) for n, spec in enumerate(shown)]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif">\n'
            "<style>.t{font-size:12px;font-weight:bold}.l{font-size:10px;fill:#555}.v{font-size:10px}"
            ".a{stroke:#999}.g{stroke:#c33;stroke-dasharray:4 3}.c{fill:none;stroke:#1f6fb2;stroke-width:2}"
            ".p{fill:#1f6fb2}</style>\n"
            f'<rect width="{width}" height="{height}" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n")


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    Path(target).write_text(chart(json.loads(Path(source).read_text())))


if __name__ == "__main__":
    main()
