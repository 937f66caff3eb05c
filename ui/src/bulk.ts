// Bulk order changes on every order the filters list: a preview of each
// (with the reason for each that cannot go through), one confirmation,
// then one transaction per order with progress and a way to stop.
import { api, jobId, type ApiError, type BulkChange, type BulkOutcome, type BulkPreview, type OrderQuery, type OrderStatus } from "./api";
import { confirmAction } from "./confirm";
import { byId, count, el, formatCount, showNotice, type ShowError } from "./dom";

/** Refusals shown in the confirmation; the rest are counted. */
const SHOWN = 10;

export function bulkChange(choice: string): BulkChange {
  return choice === "cancel" ? { kind: "cancel" } : { kind: "transition", to: choice as OrderStatus };
}

export function previewSummary(p: BulkPreview): Node[] {
  const parts: Node[] = [
    el("p", { id: "bulk-summary" }, `${count(p.ready.length, "order")} ready; ${formatCount(p.refused.length)} cannot change.`),
  ];
  if (p.refused.length > 0) {
    parts.push(
      el(
        "ul",
        { class: "diagnosis" },
        ...p.refused.slice(0, SHOWN).map((r) => el("li", {}, `Order ${r.order_id}: ${r.message}`)),
        ...(p.refused.length > SHOWN ? [el("li", {}, `… and ${formatCount(p.refused.length - SHOWN)} more`)] : []),
      ),
    );
  }
  return parts;
}

/** "Bulk change: 25 changed, 1 failed." */
export function outcomeSummary(outcomes: BulkOutcome[]): string {
  const done = outcomes.filter((o) => o.error === null).length;
  const failed = outcomes.length - done;
  return `Bulk change: ${formatCount(done)} changed, ${formatCount(failed)} failed or not attempted.`;
}

export function bulkOrders(query: () => OrderQuery, reload: () => Promise<void>, showError: ShowError): void {
  const run = byId<HTMLButtonElement>("bulk-run");
  const stop = byId<HTMLButtonElement>("bulk-cancel");
  const bar = byId<HTMLProgressElement>("bulk-progress");
  const status = byId("bulk-status");
  let job: string | null = null;

  const busy = (on: boolean) => {
    run.disabled = on;
    stop.hidden = !on;
    bar.hidden = !on;
    if (!on) job = null;
  };
  const progress = (p: { stage: string; done: number; total: number }) => {
    bar.max = Math.max(p.total, 1);
    bar.value = p.done;
    status.textContent = `${p.stage}: ${formatCount(p.done)} of ${formatCount(p.total)}`;
  };

  async function go(): Promise<void> {
    const change = bulkChange(byId<HTMLSelectElement>("bulk-change").value);
    busy(true);
    try {
      job = jobId("bulk-preview");
      const preview = await api.previewBulkOrders({ by: "filter", query: query() }, change, job, progress);
      busy(false);
      status.textContent = "";
      if (preview.ready.length === 0) {
        showError({ code: "validation", message: "None of the listed orders can take this change." });
        return;
      }
      const label = change.kind === "cancel" ? "Cancel" : `Mark ${change.to}`;
      const reason = await confirmAction({
        title: `${label}: ${count(preview.ready.length, "order")}`,
        body: previewSummary(preview),
        confirm: `${label} ${count(preview.ready.length, "order")}`,
        reason: "required",
        danger: change.kind === "cancel",
      });
      if (reason === null) return;
      busy(true);
      job = jobId("bulk-commit");
      const outcomes = await api.commitBulkOrders(preview.ready, reason === "" ? null : reason, job, progress);
      const failures = outcomes.filter((o) => o.error !== null);
      showError(failures.length ? { code: "conflict", message: failures.slice(0, 5).map((f) => `Order ${f.order_id}: ${f.error?.message}`).join("\n") } : null);
      showNotice(outcomeSummary(outcomes));
      await reload();
    } catch (e) {
      showError(e as ApiError);
    } finally {
      busy(false);
      status.textContent = "";
    }
  }

  run.addEventListener("click", () => void go());
  stop.addEventListener("click", () => {
    if (job) void api.cancelJob(job);
  });
}
