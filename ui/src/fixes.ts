// A rule's mechanical fix from the findings panel: the preview says which
// rules' findings it covers and lists every row and field before → after
// (money as money, field names in words), a page at a time; confirming
// applies exactly that, record by record, with progress. One finding's
// record can be fixed alone from its row.
import { can } from "./access";
import { api, jobId, type ApiError, type EntityFix, type FixPreview, type FixReport, type RuleInfo } from "./api";
import { confirmAction } from "./confirm";
import { count, el, formatCount, money, showNotice, when, type ShowError } from "./dom";

/** Changes listed per page of the dialog. */
export const PAGE_LINES = 20;

/** Field names as the rest of the window says them. */
const LABELS: Record<string, string> = {
  subtotal_cents: "Subtotal",
  shipping_cents: "Shipping",
  discount_cents: "Discount",
  tax_cents: "Tax",
  total_cents: "Total",
  line_total_cents: "Line total",
  unit_price_cents: "Unit price",
  email: "Email",
  email_normalized: "Normalised address",
  status: "Status",
  locked_until: "Locked until",
  lock_reason: "Lock reason",
  failed_login_count: "Failed sign-ins",
};

export function fieldLabel(table: string, column: string): string {
  const label = LABELS[column] ?? column.replace(/_/g, " ");
  return table === "order_items" ? `Item: ${label.toLowerCase()}` : label;
}

export function fieldValue(column: string, v: unknown, currency: string | null): string {
  if (v === null || v === undefined) return "∅";
  if (column.endsWith("_cents") && typeof v === "number" && currency) return money(v, currency);
  if (column.endsWith("_until") && typeof v === "string") return when(v);
  return typeof v === "string" ? v : JSON.stringify(v);
}

function lines(c: EntityFix): HTMLTableRowElement[] {
  const record = `${c.entity_type} ${c.entity_id}`;
  return c.rows.flatMap((r) =>
    r.fields.map((f) =>
      el(
        "tr",
        {},
        el("td", {}, r.table === "order_items" ? `${record}, item ${r.id}` : record),
        el("td", {}, fieldLabel(r.table, f.column)),
        el("td", { class: "num" }, fieldValue(f.column, f.before, c.currency)),
        el("td", { class: "num" }, fieldValue(f.column, f.after, c.currency)),
      ),
    ),
  );
}

/** The rules whose findings `fixId` fixes, by title. */
export function coveredRules(fixId: string, rules: RuleInfo[]): string[] {
  return rules.filter((r) => r.fix === fixId).map((r) => r.title);
}

export function fixBody(p: FixPreview, covers: string[], only: number | null): Node[] {
  const all = p.changes.flatMap(lines);
  const scope =
    only !== null
      ? `Only ${p.changes[0]?.entity_type ?? "record"} ${only}.`
      : `Every open finding of ${covers.length === 1 ? "the rule" : `these ${covers.length} rules`}: ${covers.join("; ")}.`;
  const body = el("tbody");
  const more = el("button", { type: "button", class: "secondary", id: "fix-more" });
  let shown = 0;
  const page = () => {
    body.append(...all.slice(shown, shown + PAGE_LINES));
    shown = Math.min(all.length, shown + PAGE_LINES);
    more.hidden = shown >= all.length;
    more.textContent = `Show ${formatCount(Math.min(PAGE_LINES, all.length - shown))} more of ${formatCount(all.length - shown)} left`;
  };
  more.addEventListener("click", page);
  page();
  const parts: Node[] = [
    el("p", { id: "fix-scope" }, scope),
    el(
      "p",
      { id: "fix-summary" },
      `Changes to ${count(p.changes.length, "record")} (${count(all.length, "field")}); ${count(p.skipped.length, "record")} left alone.${p.more ? " More findings remain for a later run." : ""}`,
    ),
    el(
      "table",
      { class: "grid wide", id: "fix-changes" },
      el("thead", {}, el("tr", {}, el("th", {}, "Record"), el("th", {}, "Field"), el("th", { class: "num" }, "Now"), el("th", { class: "num" }, "After the fix"))),
      body,
    ),
    more,
  ];
  const notes = p.changes.filter((c) => c.note).map((c) => el("li", {}, `${c.entity_type} ${c.entity_id}: ${c.note}`));
  const skipped = p.skipped.slice(0, PAGE_LINES).map((s) => el("li", {}, `Left alone: ${s.entity_id}: ${s.reason}`));
  if (notes.length + skipped.length > 0) parts.push(el("ul", { class: "diagnosis" }, ...notes, ...skipped));
  return parts;
}

export function reportText(r: FixReport): string {
  const stopped = r.stopped_by ? ` Stopped: ${r.stopped_by.message}` : r.cancelled ? " Stopped before the end." : "";
  return `Fix ${r.fix_id}: ${count(r.applied.length, "record")} fixed, ${formatCount(r.skipped.length)} left alone.${stopped}`;
}

/**
 * Previews `fixId` (for every finding it covers, or only record `only`),
 * asks, applies; resolves once the findings may have moved. Without the
 * right to apply fixes the preview is shown with no button to apply.
 */
export async function runFix(fixId: string, covers: string[], status: HTMLElement, showError: ShowError, only: number | null = null): Promise<void> {
  try {
    status.textContent = "Working out the fix…";
    const preview = await api.previewFix(fixId, only === null ? null : [only]);
    status.textContent = "";
    if (preview.changes.length === 0) {
      showError({ code: "validation", message: `Nothing for ${fixId} to change${preview.skipped.length ? `; ${preview.skipped.length} records need a person` : ""}.` });
      return;
    }
    const mayApply = can("apply_fixes");
    const reason = await confirmAction({
      title: `${mayApply ? "Apply" : "Preview of"} ${fixId} to ${count(preview.changes.length, "record")}`,
      body: fixBody(preview, covers, only),
      confirm: mayApply ? "Apply the fix" : "Close",
      reason: mayApply ? "required" : "none",
      danger: mayApply,
    });
    if (reason === null || !mayApply) return;
    const report = await api.applyFix(preview, reason, jobId("fix"), (p) => {
      status.textContent = `Fixing: ${formatCount(p.done)} of ${formatCount(p.total)}`;
    });
    status.textContent = "";
    showError(null);
    showNotice(reportText(report));
  } catch (e) {
    status.textContent = "";
    showError(e as ApiError);
  }
}
