"""The detector matrix as one self-contained HTML page: no network, no
script or style from anywhere else. The matrix (a colour per cell, the
evidence on hover and on click), the per-detector scores, each case's
outcome histogram as an SVG bar chart, and each case's lesson."""
import html
import json

from tables import COLUMNS, number

COLOURS = {"tp": "#2e7d32", "tn": "#a5d6a7", "fn": "#c62828", "fp": "#ef6c00"}
BAR_COLOURS = {"acceptable": "#66bb6a", "interesting": "#42a5f5", "forbidden": "#e53935", None: "#9e9e9e"}

STYLE = """
body { font: 14px sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; }
td.cell { color: #fff; cursor: pointer; min-width: 6em; }
td.cell.tn { color: #123; }
td.cell.off { outline: 3px dashed #000; outline-offset: -3px; }
#detail { position: sticky; top: 0; background: #fffde7; border: 1px solid #ccc; padding: 6px; white-space: pre-wrap;
          min-height: 2em; }
.chart { display: inline-block; vertical-align: top; margin: 0 1.5em 1em 0; }
pre.lesson { background: #f5f5f5; padding: 8px; max-height: 30em; overflow: auto; }
"""

SCRIPT = """
document.querySelectorAll('td.cell').forEach(function (td) {
  td.addEventListener('click', function () {
    document.getElementById('detail').textContent = td.dataset.detail;
  });
});
"""


def esc(text):
    return html.escape(str(text), quote=True)


def scores_table(result):
    head = "".join(f"<th>{c}</th>" for c in COLUMNS)
    rows = "".join(
        f"<tr><td>{esc(d['name'])}</td>" + "".join(f"<td>{number(d[c])}</td>" for c in COLUMNS)
        + f"<td>{d['seconds']:.0f}</td></tr>" for d in result["detectors"])
    return f'<table id="scores"><tr><th>detector</th>{head}<th>seconds</th></tr>{rows}</table>'


def matrix_table(result):
    names = [d["name"] for d in result["detectors"]]
    rows = {}
    for cell in result["cells"]:
        rows.setdefault((cell["case"], cell["variant"]), {})[cell["detector"]] = cell
    out = ['<table id="matrix"><tr><th>case</th><th>variant</th>'
           + "".join(f"<th>{esc(n)}</th>" for n in names) + "</tr>"]
    for (case, variant), by_detector in rows.items():
        out.append(f'<tr><td><a href="#lesson-{esc(case)}">{esc(case)}</a></td><td>{esc(variant)}</td>')
        for name in names:
            cell = by_detector.get(name)
            if cell is None:
                out.append("<td></td>")
                continue
            off = not cell["expected"] and cell["verdict"] != "unverified"
            detail = (f"{case} / {variant} under {name}: {cell['verdict']} ({cell['class'].upper()}, "
                      f"{'as declared' if not off else 'NOT as declared'}, {cell['trials']} trials)\n"
                      f"{cell['evidence'] or 'no evidence'}")
            out.append(f'<td class="cell {cell["class"]}{" off" if off else ""}" '
                       f'style="background:{COLOURS[cell["class"]]}" title="{esc(detail)}" '
                       f'data-detail="{esc(detail)}">{cell["class"].upper()} {esc(cell["verdict"])}</td>')
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def bar_chart(case, variant, rows):
    """One variant's outcome histogram: a bar per outcome row, its count."""
    width, bar_height, label_width = 420, 16, 200
    top = max([r["count"] for r in rows] + [1])
    height = 22 + bar_height * max(len(rows), 1)
    parts = [f'<svg class="histogram" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{esc(case)} {esc(variant)} outcomes">',
             f'<text x="0" y="13" font-size="12" font-weight="bold">{esc(variant)}</text>']
    for i, r in enumerate(rows):
        y = 20 + i * bar_height
        length = (width - label_width - 40) * r["count"] / top
        parts.append(f'<text x="0" y="{y + 12}" font-size="11">{esc(r["label"][:32])}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 2}" width="{length:.1f}" height="{bar_height - 4}" '
                     f'fill="{BAR_COLOURS.get(r["class"], "#9e9e9e")}"><title>{esc(r["label"])}: '
                     f'{r["count"]} ({esc(r["class"])})</title></rect>')
        parts.append(f'<text x="{label_width + length + 4:.1f}" y="{y + 12}" font-size="11">{r["count"]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def case_sections(result):
    cases = list(dict.fromkeys(cell["case"] for cell in result["cells"]))
    out = []
    for case in cases:
        out.append(f'<section id="lesson-{esc(case)}"><h3>{esc(case)}</h3>')
        for variant, rows in result["histograms"].get(case, {}).items():
            out.append(f'<div class="chart">{bar_chart(case, variant, rows)}</div>')
        lesson = result["lessons"].get(case)
        if lesson:
            out.append(f'<details><summary>the lesson (hazardlab explain {esc(case)})</summary>'
                       f'<pre class="lesson">{esc(lesson)}</pre></details>')
        out.append("</section>")
    return "".join(out)


def html_page(result):
    legend = " ".join(f'<span style="background:{c};padding:2px 6px;color:#fff">{k.upper()}</span>'
                      for k, c in COLOURS.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>hazardlab detector matrix</title>
<style>{STYLE}</style></head><body>
<h1>hazardlab: the detector matrix</h1>
<p>Generated {esc(result.get('generated', ''))} from the runs just made. {legend}
A dashed outline: a verdict not as its case declares. Hover or click a cell for its evidence;
a case name leads to its outcome histograms and lesson.</p>
<h2>Scores</h2>{scores_table(result)}
<h2>Every case and variant</h2><div id="detail">click a cell</div>{matrix_table(result)}
<h2>Outcome histograms and lessons</h2>{case_sections(result)}
<script type="application/json" id="data">{esc(json.dumps(result["detectors"]))}</script>
<script>{SCRIPT}</script>
</body></html>
"""

