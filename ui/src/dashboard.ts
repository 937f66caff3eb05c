// The dashboard: counts by status as bar charts, the outbox's health, the
// latest audit entries and the table sizes.
import { api, type ApiError, type Dashboard, type StatusCount, type TableCount } from "./api";
import { byId, el, formatCount, when, type ShowError } from "./dom";

/** Statuses in the order people think of them; others follow by name. */
const ORDER = ["active", "locked", "disabled", "pending", "paid", "packed", "shipped", "delivered", "cancelled", "refunded", "queued", "sending", "sent", "failed", "uncertain", "error", "warning"];

function rank(status: string): number {
  const i = ORDER.indexOf(status);
  return i === -1 ? ORDER.length : i;
}

/** One labelled bar per status, widths relative to the largest. */
export function bars(counts: StatusCount[] | null, attention: string[] = []): HTMLElement[] {
  if (counts === null) return [el("p", { class: "muted" }, "Not available to your role.")];
  if (counts.length === 0) return [el("p", { class: "muted" }, "Nothing yet.")];
  const max = Math.max(...counts.map((c) => c.count), 1);
  const sorted = [...counts].sort((a, b) => rank(a.status) - rank(b.status) || a.status.localeCompare(b.status));
  return sorted.map((c) => {
    const fill = el("span", { class: "fill" });
    // CSSOM, not a style attribute: allowed by the strict CSP.
    fill.style.width = `${Math.max((c.count / max) * 100, c.count > 0 ? 1 : 0)}%`;
    const warn = attention.includes(c.status) && c.count > 0;
    return el(
      "div",
      { class: `bar${warn ? " attention" : ""}`, "data-status": c.status },
      el("span", { class: "label" }, c.status),
      el("span", { class: "track" }, fill),
      el("span", { class: "num" }, formatCount(c.count)),
    );
  });
}

export function countRows(counts: TableCount[]): HTMLTableRowElement[] {
  return counts.map((c) =>
    el("tr", { "data-table": c.table }, el("td", {}, c.table), el("td", { class: "num" }, formatCount(c.rows))),
  );
}

/** A part this back end's mapping leaves out, said as such. */
function part(d: Dashboard, name: string, counts: StatusCount[] | null, attention: string[] = []): HTMLElement[] {
  if (d.unmapped.includes(name)) return [el("p", { class: "muted" }, `This back end's mapping has no ${name}.`)];
  return bars(counts, attention);
}

export function render(d: Dashboard): void {
  byId("dash-users").replaceChildren(...part(d, "users", d.users_by_status, ["locked"]));
  byId("dash-orders").replaceChildren(...part(d, "orders", d.orders_by_status));
  byId("dash-findings").replaceChildren(...bars(d.open_findings, ["error"]));
  byId("dash-outbox").replaceChildren(...bars(d.outbox, ["failed", "uncertain"]));
  const audit = byId("dash-audit").querySelector("tbody") as HTMLTableSectionElement;
  audit.replaceChildren(
    ...(d.recent_audit === null
      ? [el("tr", {}, el("td", { class: "muted" }, "Not available to your role."))]
      : d.recent_audit.length === 0
        ? [el("tr", {}, el("td", { class: "muted" }, "No entries yet."))]
        : d.recent_audit.map((a) =>
          el("tr", {}, el("td", {}, when(a.at)), el("td", {}, a.operator), el("td", {}, a.action), el("td", {}, `${a.entity_type} ${a.entity_id}`)),
        )),
  );
}

export function dashboardView(showError: ShowError): () => void {
  return () => {
    void (async () => {
      try {
        const [d, counts] = await Promise.all([api.dashboard(), api.tableCounts()]);
        render(d);
        byId("counts").querySelector("tbody")?.replaceChildren(...countRows(counts));
        showError(null);
      } catch (e) {
        showError(e as ApiError);
      }
    })();
  };
}
