"""The page's inline stylesheet and script (kept in Python so the package needs no data files)."""

from __future__ import annotations

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --bg: #f6f8fa; --card: #ffffff;
  --healthy: #1a7f37; --warning: #bf8700; --critical: #cf222e; --neutral: #8c959f; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
.page-header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center;
  gap: 12px; padding: 18px 28px; background: #0d1117; color: #f0f6fc; }
.page-header h1 { margin: 0; font-size: 22px; }
.page-header .meta { margin: 4px 0 0; color: #9198a1; font-size: 13px; }
.status-summary { display: flex; gap: 8px; flex-wrap: wrap; }
.chip { padding: 4px 10px; border-radius: 999px; font-size: 12px; font-weight: 600; }
nav { position: sticky; top: 0; z-index: 5; display: flex; gap: 4px; padding: 8px 28px;
  background: #ffffffee; border-bottom: 1px solid var(--line); backdrop-filter: blur(4px); }
nav a { padding: 4px 10px; border-radius: 6px; color: var(--ink); text-decoration: none;
  font-weight: 600; }
nav a:hover { background: var(--bg); }
main { max-width: 1400px; margin: 0 auto; padding: 8px 28px 40px; }
.tier { margin-top: 26px; padding-top: 6px; border-top: 4px solid var(--line); }
.tier-top { border-top-color: #0969da; } .tier-middle { border-top-color: #8250df; }
.tier-bottom { border-top-color: #1a7f37; } .tier-health { border-top-color: #57606a; }
.tier h2 { margin: 10px 0 0; font-size: 20px; }
.subtitle { margin: 2px 0 14px; color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px; }
.tile { background: var(--card); border: 1px solid var(--line);
  border-left: 5px solid var(--neutral); border-radius: 8px; padding: 10px 12px 8px;
  display: flex; flex-direction: column; gap: 2px; }
.tile h3 { margin: 0; font-size: 13px; font-weight: 600; color: var(--muted); min-height: 36px; }
.tile-value { font-size: 26px; font-weight: 700; letter-spacing: -0.5px; }
.tile-change { font-size: 12px; color: var(--muted); min-height: 17px; }
.tile-spark { height: 34px; }
.tile-spark svg { width: 100%; height: 34px; display: block; }
.tile footer { font-size: 11px; color: var(--muted); min-height: 18px; }
.empty-chart { background: var(--bg); border-radius: 6px; padding: 24px; text-align: center;
  color: var(--muted); }
.missing { margin-top: 10px; }
.status-healthy { border-left-color: var(--healthy); }
.status-warning { border-left-color: var(--warning); }
.status-critical { border-left-color: var(--critical); }
.status-no_data { border-left-color: #d0d7de; }
.badge { font-size: 10.5px; font-weight: 700; text-transform: uppercase; letter-spacing: .3px;
  padding: 2px 6px; border-radius: 4px; white-space: nowrap; }
.badge-healthy { background: #dafbe1; color: #116329; }
.badge-warning { background: #fff8c5; color: #7d4e00; }
.badge-critical { background: #ffebe9; color: #a40e26; }
.badge-no_threshold { background: #eaeef2; color: #57606a; }
.badge-no_data { background: #f6f8fa; color: #6e7781; border: 1px solid var(--line); }
.change-better { color: var(--healthy); } .change-worse { color: var(--critical); }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 14px;
  margin-top: 14px; }
.panel { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 12px 14px; min-width: 0; }
.panel.wide { grid-column: 1 / -1; }
figcaption { font-weight: 700; margin-bottom: 6px; }
svg.chart { width: 100%; height: auto; display: block; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0 0;
  padding: 0; font-size: 12px; color: var(--muted); }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; }
.note { font-size: 12px; color: var(--muted); margin: 6px 0 0; }
.notice { background: #fff8c5; border: 1px solid #d4a72c66; border-radius: 6px;
  padding: 10px 12px; }
.tab-buttons { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 8px; }
.tab { border: 1px solid var(--line); background: var(--bg); border-radius: 6px; padding: 4px 10px;
  font: inherit; font-size: 12.5px; cursor: pointer; }
.tab.active { background: #0969da; border-color: #0969da; color: #fff; }
.js .tab-panel { display: none; } .js .tab-panel.active { display: block; }
.scroll { overflow: auto; max-height: 360px; border: 1px solid var(--line); border-radius: 6px;
  margin-top: 10px; background: var(--card); }
.scroll.tall { max-height: 420px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { padding: 5px 8px; border-bottom: 1px solid #eaeef2; text-align: left;
  white-space: nowrap; }
thead th { position: sticky; top: 0; background: #f6f8fa; z-index: 1; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
th.default-model { text-decoration: underline; }
.cell-healthy { background: #dafbe1; } .cell-warning { background: #fff8c5; }
.cell-critical { background: #ffebe9; }
td.ok { color: var(--healthy); font-weight: 700; }
td.bad { color: var(--critical); font-weight: 700; }
details { margin-top: 14px; } summary { cursor: pointer; font-weight: 600; }
.summary.ok { color: var(--healthy); } .summary.bad { color: var(--critical); }
.summary.warn { color: var(--warning); }
.tier-health h3 { margin: 18px 0 4px; font-size: 15px; }
@media (max-width: 900px) { .grid { grid-template-columns: minmax(0, 1fr); } }
"""

JS = """
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var groups = document.querySelectorAll("[data-tabs]");
  Array.prototype.forEach.call(groups, function (group) {
    var buttons = group.querySelectorAll(".tab");
    var panels = group.querySelectorAll(".tab-panel");
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function () {
        var name = button.getAttribute("data-tab");
        Array.prototype.forEach.call(buttons, function (other) {
          other.classList.toggle("active", other === button);
        });
        Array.prototype.forEach.call(panels, function (panel) {
          panel.classList.toggle("active", panel.getAttribute("data-panel") === name);
        });
      });
    });
  });
  var charts = document.querySelectorAll("svg.chart");
  var points = 0;
  Array.prototype.forEach.call(charts, function (chart) {
    points += chart.querySelectorAll(".point, .bar").length;
  });
  document.documentElement.setAttribute("data-dashboard-ready", "true");
  document.documentElement.setAttribute("data-chart-count", String(charts.length));
  document.documentElement.setAttribute("data-point-count", String(points));
})();
"""
