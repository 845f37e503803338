/**
 * The page shell every dashboard page shares: navigation, the inline stylesheet and the one inline
 * script (table sorting), allowed by a per-response CSP nonce. Nothing is loaded from elsewhere.
 */
import { randomBytes } from "node:crypto";
import type { FastifyReply } from "fastify";
import { DEFAULT_DAYS } from "./context.js";
import { escapeHtml } from "./format.js";
import { DASHBOARD_CSS } from "./style.js";

/** The pages; `period`: the page shows a period (`?days=`), which the navigation carries from page to page. */
export const NAVIGATION = [
  { id: "spend", href: "/dashboard", label: "Spend", period: true },
  { id: "savings", href: "/dashboard/savings", label: "Savings", period: true },
  { id: "cache", href: "/dashboard/cache", label: "Cache", period: true },
  { id: "latency", href: "/dashboard/latency", label: "Latency", period: false },
  { id: "budgets", href: "/dashboard/budgets", label: "Budgets", period: false },
  { id: "planner", href: "/dashboard/planner", label: "Planner", period: false },
] as const;

export type PageId = (typeof NAVIGATION)[number]["id"];

/**
 * Sorts `table.sortable` by the clicked header. Numbers compare exactly: decimal text becomes a
 * BigInt of 10^-18 units, so money sorts by its exact value. Blank cells stay last.
 */
const SORT_SCRIPT = `
(() => {
  const exact = (text) => {
    const match = /^(-?)(\\d+)(?:\\.(\\d{1,18}))?$/.exec(text);
    if (!match) return null;
    const value = BigInt(match[2] + (match[3] || "").padEnd(18, "0"));
    return match[1] ? -value : value;
  };
  const order = (a, b, type) => {
    if (type !== "number") return a.localeCompare(b, undefined, { numeric: true });
    const x = exact(a), y = exact(b);
    if (x !== null && y !== null) return x < y ? -1 : x > y ? 1 : 0;
    return Number(a) - Number(b);
  };
  const valueOf = (row, column) => {
    const cell = row.querySelector('[data-col="' + column + '"]');
    if (!cell) return "";
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  };
  for (const table of document.querySelectorAll("table.sortable")) {
    const headers = [...table.tHead.rows[0].cells];
    for (const header of headers) {
      header.querySelector("button.sort").addEventListener("click", () => {
        const type = header.dataset.type;
        const current = header.getAttribute("aria-sort");
        const direction = current ? (current === "ascending" ? "descending" : "ascending") : type === "number" ? "descending" : "ascending";
        for (const other of headers) other.removeAttribute("aria-sort");
        header.setAttribute("aria-sort", direction);
        const body = table.tBodies[0];
        const rows = [...body.rows].filter((row) => !row.classList.contains("empty"));
        const sign = direction === "ascending" ? 1 : -1;
        rows.sort((left, right) => {
          const a = valueOf(left, header.dataset.col), b = valueOf(right, header.dataset.col);
          if (a === "" || b === "") return a === b ? 0 : a === "" ? 1 : -1;
          return sign * order(a, b, type);
        });
        for (const row of rows) body.appendChild(row);
      });
    }
  }
})();
`;

export interface PageOptions {
  title: string;
  active: PageId | null;
  body: string;
  /** false on the login page: no navigation. */
  signedIn?: boolean;
  /** The period the page shows, in days: the links to the other pages with a period keep it. */
  days?: number;
}

export function renderPage(options: PageOptions, nonce: string): string {
  const period = options.days !== undefined && options.days !== DEFAULT_DAYS ? `?days=${options.days}` : "";
  const navigation = NAVIGATION.map(
    (item) => `<a href="${item.href}${item.period ? period : ""}" data-nav="${item.id}"${item.id === options.active ? ' aria-current="page"' : ""}>${escapeHtml(item.label)}</a>`,
  ).join("");
  const header =
    options.signedIn === false
      ? ""
      : `<header class="top"><div class="bar"><a class="brand" href="/dashboard">Switchyard</a><nav>${navigation}</nav>` +
        `<form method="post" action="/dashboard/logout"><button type="submit" data-action="logout">Sign out</button></form></div></header>`;
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(options.title)} · Switchyard</title><style>${DASHBOARD_CSS}</style></head><body>${header}` +
    `<main>${options.body}</main><script nonce="${nonce}">${SORT_SCRIPT}</script></body></html>\n`
  );
}

/** Sends a page with headers that keep it self-contained: only its own inline script may run. */
export function sendPage(reply: FastifyReply, options: PageOptions, status = 200): FastifyReply {
  const nonce = randomBytes(16).toString("base64");
  return reply
    .code(status)
    .headers({
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      // same-origin, not no-referrer: under no-referrer a browser posts our own forms with
      // Origin: null, which the Origin check must refuse. Nothing is sent to another origin either way.
      "referrer-policy": "same-origin",
      "x-frame-options": "DENY",
      "content-security-policy":
        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src data:; ` + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    })
    .send(renderPage(options, nonce));
}

/** A section heading with a short explanation under it. */
export function heading(title: string, lead: string): string {
  return `<h1>${escapeHtml(title)}</h1><p class="lead">${lead}</p>`;
}

export function card(label: string, figure: string, sub = "", attributes = ""): string {
  return `<div class="card"${attributes}><div class="label">${escapeHtml(label)}</div><div class="figure">${figure}</div>${sub ? `<div class="sub">${sub}</div>` : ""}</div>`;
}
