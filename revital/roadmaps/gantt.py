"""The roadmap's calendar as a Gantt chart, an SVG string drawn on the server (the page and the PDF
show the same drawing). Pure: the standard library only.

One row per action, grouped under its axis, one column per quarter of the roadmap's calendar
(revital.roadmaps.builder.calendar), the current quarter marked when it is in the calendar. Every
text is escaped here; the chart has a <title> and a <desc>, and the pages put the same calendar
in a table next to it (the accessible alternative)."""

from datetime import date
from html import escape

from revital.roadmaps.builder import quarter_index, span

LABEL_WIDTH = 300
QUARTER_WIDTH = 46
ROW_HEIGHT = 22
AXIS_HEIGHT = 24
HEADER_HEIGHT = 40
LABEL_CHARS = 44
BAR = "#1f6f5c"
BAR_UNDATED = "#b0b0b0"


def today_quarter(today: date) -> dict:
    return {"year": today.year, "quarter": (today.month - 1) // 3 + 1}


def shorten(text: str, size: int = LABEL_CHARS) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def rows_of(snapshot: dict) -> list[tuple[str, object]]:
    """("axis", title) and ("action", action) in the order drawn."""
    actions = {a["number"]: a for a in snapshot["actions"]}
    rows: list[tuple[str, object]] = []
    for group in snapshot["axes"]:
        rows.append(("axis", group["title"]))
        rows.extend(("action", actions[n]) for n in group["actions"] if n in actions)
    return rows


def svg(snapshot: dict, today: date | None = None, title: str | None = None, rows=None) -> str:
    """The chart of a roadmap snapshot; an empty string when no action is dated. rows: a part of
    rows_of(snapshot) (a page of the PDF), all of them by default."""
    cal = snapshot.get("calendar")
    if not cal:
        return ""
    quarters = cal["quarters"]
    first = quarter_index(cal["first"])
    rows = rows_of(snapshot) if rows is None else rows
    width = LABEL_WIDTH + QUARTER_WIDTH * len(quarters)
    height = HEADER_HEIGHT + sum(AXIS_HEIGHT if kind == "axis" else ROW_HEIGHT for kind, _ in rows) + 2
    name = title or f"Calendrier de la feuille de route de {snapshot['commune']['name']}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="gantt-title gantt-desc" '
        f'font-family="sans-serif" font-size="12">',
        f'<title id="gantt-title">{escape(name)}</title>',
        f'<desc id="gantt-desc">{escape(describe(snapshot))}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    # Years, then quarters.
    years: list[tuple[int, int, int]] = []  # year, first column, count
    for i, q in enumerate(quarters):
        if years and years[-1][0] == q["year"]:
            years[-1] = (q["year"], years[-1][1], years[-1][2] + 1)
        else:
            years.append((q["year"], i, 1))
    for year, column, count in years:
        x = LABEL_WIDTH + column * QUARTER_WIDTH
        out.append(f'<rect x="{x}" y="0" width="{count * QUARTER_WIDTH}" height="18" fill="#eef3f1" stroke="#ffffff"/>')
        out.append(f'<text x="{x + count * QUARTER_WIDTH / 2:.1f}" y="13" text-anchor="middle" font-weight="bold">{year}</text>')
    for i, q in enumerate(quarters):
        x = LABEL_WIDTH + i * QUARTER_WIDTH
        out.append(f'<text x="{x + QUARTER_WIDTH / 2:.1f}" y="33" text-anchor="middle" fill="#444444">T{q["quarter"]}</text>')
        out.append(f'<line x1="{x}" y1="20" x2="{x}" y2="{height}" stroke="#dddddd" stroke-width="1"/>')
    if today is not None:
        now = quarter_index(today_quarter(today)) - first
        if 0 <= now < len(quarters):
            x = LABEL_WIDTH + now * QUARTER_WIDTH
            out.append(f'<rect class="today" x="{x}" y="20" width="{QUARTER_WIDTH}" height="{height - 20}" '
                       f'fill="#f5d28a" fill-opacity="0.35"><title>Trimestre en cours</title></rect>')
    y = HEADER_HEIGHT
    for kind, item in rows:
        if kind == "axis":
            out.append(f'<rect x="0" y="{y}" width="{width}" height="{AXIS_HEIGHT}" fill="#f4f4f4"/>')
            out.append(f'<text class="axis" x="6" y="{y + 16}" font-weight="bold">{escape(shorten(str(item), 90))}</text>')
            y += AXIS_HEIGHT
            continue
        action = item
        label = f"{action['number']}. {action['title']}"
        out.append(f'<g class="row" data-number="{int(action["number"])}">')
        out.append(f'<text x="12" y="{y + 15}"><title>{escape(label)}</title>{escape(shorten(label))}</text>')
        covered = span(action)
        if covered is not None:
            a, b = covered[0] - first, covered[1] - first
            x = LABEL_WIDTH + a * QUARTER_WIDTH + 2
            w = (b - a + 1) * QUARTER_WIDTH - 4
            when = quarter_span_fr(action)
            out.append(f'<rect class="bar" x="{x}" y="{y + 4}" width="{w}" height="{ROW_HEIGHT - 8}" rx="3" '
                       f'fill="{BAR}"><title>{escape(label)} : {escape(when)}</title></rect>')
        else:
            out.append(f'<text x="{LABEL_WIDTH + 6}" y="{y + 15}" fill="#666666" font-style="italic">non daté</text>')
        out.append("</g>")
        y += ROW_HEIGHT
    out.append(f'<line x1="{LABEL_WIDTH}" y1="20" x2="{LABEL_WIDTH}" y2="{height}" stroke="#999999"/>')
    out.append("</svg>")
    return "\n".join(out)


def pages(snapshot: dict, per_page: int = 26, today: date | None = None) -> list[str]:
    """The chart cut in parts of per_page rows at most, for the pages of the PDF (an SVG is not
    split across pages); an axis heading never ends a part, and a part that continues an axis
    repeats its heading."""
    if not snapshot.get("calendar"):
        return []
    parts: list[list] = [[]]
    axis = None
    for kind, item in rows_of(snapshot):
        if kind == "axis":
            axis = item
        if len(parts[-1]) >= per_page or (kind == "axis" and len(parts[-1]) >= per_page - 1):
            parts.append([] if kind == "axis" else [("axis", f"{axis} (suite)")])
        parts[-1].append((kind, item))
    count = len(parts)
    return [svg(snapshot, today, rows=part, title=None if count == 1 else
                f"Calendrier de la feuille de route de {snapshot['commune']['name']} ({i} sur {count})")
            for i, part in enumerate(parts, start=1)]


def quarter_span_fr(action: dict) -> str:
    """ "T1 2027 – T4 2028", "T2 2027", or "non daté"."""
    start, end = action.get("start"), action.get("end")
    if not start and not end:
        return "non daté"
    start, end = start or end, end or start
    a, b = f"T{start['quarter']} {start['year']}", f"T{end['quarter']} {end['year']}"
    return a if a == b else f"{a} – {b}"


def describe(snapshot: dict) -> str:
    cal = snapshot["calendar"]
    count = len(snapshot["actions"])
    return (f"{count} action{'s' if count > 1 else ''}, du T{cal['first']['quarter']} {cal['first']['year']} "
            f"au T{cal['last']['quarter']} {cal['last']['year']} ; le tableau qui suit donne les mêmes dates.")
