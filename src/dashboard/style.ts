/**
 * The narrowest a chart is drawn, in px: its 900-unit viewBox shrunk to a phone's width made 12 px
 * text about 5 px tall. In a card narrower than this a chart scrolls sideways inside the card, and
 * its smallest text (11 units) stays 10 px.
 */
export const PHONE_CHART_WIDTH = 820;

/** The dashboard's one stylesheet, inlined in every page (no external assets: it works offline). */
export const DASHBOARD_CSS = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#111827;background:#f3f4f6}
a{color:#1d4ed8}
header.top{background:#111827;color:#f9fafb}
header.top .bar{max-width:1240px;margin:0 auto;padding:8px 24px;display:flex;flex-wrap:wrap;align-items:center;gap:4px 24px;min-height:52px}
header.top .brand{font-weight:700;font-size:16px;letter-spacing:.02em;color:#fff;text-decoration:none}
header.top nav{display:flex;flex-wrap:wrap;gap:4px;flex:1}
header.top nav a{color:#d1d5db;text-decoration:none;padding:6px 12px;border-radius:6px}
header.top nav a:hover{background:#1f2937;color:#fff}
header.top nav a[aria-current=page]{background:#374151;color:#fff}
header.top form{margin:0}
header.top button{background:none;border:1px solid #4b5563;color:#d1d5db;border-radius:6px;padding:4px 10px;cursor:pointer;font:inherit}
main{max-width:1240px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:22px;margin:4px 0 4px}
h2{font-size:17px;margin:28px 0 8px}
h3{font-size:15px;margin:18px 0 6px}
p.lead{color:#4b5563;margin:0 0 16px;max-width:900px}
.note{color:#4b5563;font-size:13px}
.controls{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;margin:8px 0 16px}
.controls .group{display:flex;gap:2px;background:#e5e7eb;border-radius:8px;padding:2px}
.controls .group a{padding:4px 10px;border-radius:6px;text-decoration:none;color:#374151}
.controls .group a[aria-current=true]{background:#fff;color:#111827;font-weight:600;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.controls label{color:#374151}
.controls select,.controls input{font:inherit;padding:3px 6px;border:1px solid #d1d5db;border-radius:6px;background:#fff}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:12px;margin:12px 0 8px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:12px 14px}
.card .label{color:#6b7280;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .figure{font-size:20px;font-weight:700;font-variant-numeric:tabular-nums;word-break:break-all}
.card .sub{color:#6b7280;font-size:12px}
.panel{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:14px 16px;margin:12px 0}
.panel > h2:first-child,.panel > h3:first-child{margin-top:0}
figure{margin:0 0 8px;overflow-x:auto}
figure.line{max-width:960px}
svg{width:100%;height:auto;display:block}figure > svg{min-width:${PHONE_CHART_WIDTH}px}
svg text{font:12px system-ui,sans-serif;fill:#111827}
svg .chart-title{font-weight:600;font-size:13px}svg .muted{fill:#6b7280}svg .value{font-variant-numeric:tabular-nums;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}
svg .grid{stroke:#e5e7eb}svg .tick{fill:#6b7280;font-size:11px}svg .legend{font-size:12px}
svg .marker{stroke-dasharray:5 4;stroke-width:1.5}svg .marker.today{stroke:#111827}svg .marker.budget{stroke:#dc2626}
svg .marker.start{stroke:#6b7280}svg .marker.break_even{stroke:#dc2626}svg .marker.current{stroke:#111827}svg .marker.horizon{stroke:#6b7280}
svg .marker-label{font-size:11px;fill:#374151}
.table-wrap{overflow-x:auto}
details.panel > summary{cursor:pointer;font-weight:600}details.panel[open] > summary{margin-bottom:8px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border-bottom:1px solid #e5e7eb;padding:6px 8px;text-align:left;vertical-align:top}
thead th{background:#f9fafb;border-bottom:2px solid #e5e7eb;vertical-align:bottom}
tfoot th,tfoot td{border-top:2px solid #d1d5db;font-weight:600;background:#f9fafb}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}th.num{text-align:right}
tbody tr:hover{background:#f9fafb}
tr.empty td{color:#6b7280;text-align:center;padding:18px}
th button.sort{all:unset;cursor:pointer;font-weight:600}
th button.sort:focus-visible{outline:2px solid #2563eb;border-radius:2px}
th button.sort::after{content:" ↕";color:#9ca3af;font-weight:400}
th[aria-sort=ascending] button.sort::after{content:" ▲";color:#111827}
th[aria-sort=descending] button.sort::after{content:" ▼";color:#111827}
.pill{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;white-space:nowrap}
.pill.closed,.pill.ok{background:#dcfce7;color:#166534}
.pill.half_open,.pill.warn{background:#fef3c7;color:#92400e}
.pill.open,.pill.bad{background:#fee2e2;color:#991b1b}
.pill.none{background:#e5e7eb;color:#374151}
.meter{position:relative;height:8px;background:#e5e7eb;border-radius:4px;min-width:120px;margin-top:4px;overflow:hidden}
.meter span{position:absolute;left:0;top:0;bottom:0;border-radius:4px}
.error-box{background:#fef2f2;border:1px solid #fecaca;color:#7f1d1d;border-radius:10px;padding:12px 16px;margin:12px 0}
.error-box ul{margin:6px 0 0;padding-left:20px}
.error-box code{background:#fee2e2;padding:0 4px;border-radius:4px}
.error-box.field-problems{margin:8px 0 0}
.field-problem{color:#991b1b;font-weight:600}
textarea[aria-invalid=true],input[aria-invalid=true]{border-color:#dc2626;box-shadow:0 0 0 1px #dc2626}
.login{max-width:420px;margin:10vh auto;background:#fff;border:1px solid #e5e7eb;border-radius:12px;padding:28px}
.login h1{margin-top:0}
.login input[type=password]{width:100%;font:inherit;padding:8px 10px;border:1px solid #d1d5db;border-radius:8px;margin:6px 0 14px}
button.primary{background:#1d4ed8;color:#fff;border:0;border-radius:8px;padding:8px 16px;font:inherit;font-weight:600;cursor:pointer}
button.primary:hover{background:#1e40af}
textarea.yaml{width:100%;min-height:340px;font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:10px;border:1px solid #d1d5db;border-radius:8px;tab-size:2}
.plan-report .summary{background:#f9fafb;border:1px solid #e5e7eb;border-radius:8px;padding:12px 16px;margin:12px 0}
.plan-report .big{font-size:24px;font-weight:700}
.plan-report figure{border:1px solid #e5e7eb;border-radius:8px;padding:10px;margin:10px 0}
.plan-report h1{font-size:20px}.plan-report h2{font-size:17px;border-top:1px solid #e5e7eb;padding-top:16px}
.plan-report table{margin:8px 0}.plan-report th,.plan-report td{border:1px solid #e5e7eb}
.plan-report tr.infeasible td{color:#6b7280}.plan-report .applied{color:#047857;font-weight:600}
tr.cheapest td{background:#f0fdf4}tr.incomplete td{color:#4b5563}
td[data-col=state] .note{white-space:nowrap}
ol.sources{margin:6px 0 0;padding-left:22px;font-size:13px}ol.sources li{margin:4px 0}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
@media (max-width:640px){
header.top .bar{padding:8px 12px;gap:4px 12px}
header.top nav{order:3;flex-basis:100%;margin:0 -8px}
header.top nav a{padding:6px 8px}
header.top form{margin-left:auto}
main{padding:16px 12px 40px}
.panel{padding:12px}
}
`;
