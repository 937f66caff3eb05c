// The audit log: filters, entries with their before/after, and a check of
// the hash chain.
import { api, jobId, type ApiError, type AuditEntry, type AuditFilter } from "./api";
import { byId, el, formatCount, when, type ShowError } from "./dom";
import { exportButton } from "./exporting";
import { dayEnd, dayStart } from "./filters";
import { sortableHeaders } from "./sorting";
import { pagedList } from "./list";

const DEBOUNCE_MS = 250;

export function auditFilter(operator: string, action: string, entity: string, entityId: string, from = "", to = "", oldestFirst = false): AuditFilter {
  const v = (s: string) => (s.trim() === "" ? null : s.trim());
  return {
    operator: v(operator),
    action: v(action),
    entity_type: v(entity),
    entity_id: v(entityId),
    from: dayStart(from),
    until: dayEnd(to),
    oldest_first: oldestFirst,
  };
}

/** A before/after value as indented JSON text. */
export function jsonText(value: unknown): string {
  return value === null || value === undefined ? "—" : JSON.stringify(value, null, 2);
}

export function auditRow(a: AuditEntry): HTMLTableRowElement[] {
  const row = el(
    "tr",
    { "data-audit": String(a.id), tabindex: "0", class: "clickable" },
    el("td", { class: "num" }, String(a.id)),
    el("td", {}, when(a.at)),
    el("td", {}, a.operator),
    el("td", {}, a.action),
    el("td", {}, `${a.entity_type} ${a.entity_id}`),
    el("td", {}, a.reason ?? ""),
  );
  const detail = el(
    "tr",
    { class: "detail", hidden: "" },
    el(
      "td",
      { colspan: "6" },
      el("div", { class: "before-after" }, el("div", {}, el("h4", {}, "Before"), el("pre", {}, jsonText(a.before))), el("div", {}, el("h4", {}, "After"), el("pre", {}, jsonText(a.after)))),
    ),
  );
  const toggle = () => (detail.hidden = !detail.hidden);
  row.addEventListener("click", toggle);
  row.addEventListener("keydown", (e) => {
    if (e.key === "Enter") toggle();
  });
  return [row, detail];
}

export function auditView(showError: ShowError): () => void {
  const inputs = ["audit-operator", "audit-action", "audit-entity", "audit-entity-id"].map((id) => byId<HTMLInputElement>(id));
  const body = byId("audit").querySelector("tbody") as HTMLTableSectionElement;
  const verified = byId("audit-verified");
  let timer: ReturnType<typeof setTimeout> | undefined;

  // Id and time sort alike: entries are numbered as they are written.
  const sorting = sortableHeaders(byId<HTMLTableElement>("audit"), { 0: "time", 1: "time" }, { key: "time", ascending: false }, () => void list.reload());
  const filter = () => {
    const [o, a, e, i] = inputs.map((x) => x.value) as [string, string, string, string];
    return auditFilter(o, a, e, i, byId<HTMLInputElement>("audit-from").value, byId<HTMLInputElement>("audit-to").value, sorting.state().ascending);
  };
  const list = pagedList<AuditEntry>({
    body,
    more: byId<HTMLButtonElement>("audit-more"),
    summary: null,
    fetch: (page) => api.listAudit(filter(), page),
    row: auditRow,
    empty: "No entries.",
    showError,
  });

  async function verify(): Promise<void> {
    verified.textContent = "Checking every entry…";
    try {
      const report = await api.verifyAudit(jobId("audit"));
      verified.textContent = report.first_bad
        ? `Broken at entry ${report.first_bad.id}: ${report.first_bad.problem}`
        : `Chain intact: ${formatCount(report.checked)} entries checked.`;
      verified.className = report.first_bad ? "bad" : "good";
    } catch (e) {
      verified.textContent = "";
      showError(e as ApiError);
    }
  }

  for (const input of inputs) {
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => void list.reload(), DEBOUNCE_MS);
    });
  }
  for (const id of ["audit-from", "audit-to"]) byId(id).addEventListener("change", () => void list.reload());
  byId("audit-filters").addEventListener("submit", (e) => e.preventDefault());
  byId("audit-verify").addEventListener("click", () => void verify());
  exportButton(byId<HTMLButtonElement>("audit-export"), () => ({ list: "audit", filter: filter() }), showError);
  return () => void list.reload();
}
