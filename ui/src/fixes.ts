// A rule's mechanical fix from the findings panel: the preview lists every
// row and column before → after and what is left alone; confirming applies
// exactly that, record by record, with progress.
import { api, jobId, type ApiError, type FixPreview, type FixReport } from "./api";
import { confirmAction } from "./confirm";
import { count, el, formatCount, showNotice, type ShowError } from "./dom";

/** Changes listed in the dialog; the rest are counted. */
const SHOWN = 20;

function value(v: unknown): string {
  return v === null || v === undefined ? "∅" : typeof v === "string" ? v : JSON.stringify(v);
}

export function fixBody(p: FixPreview): Node[] {
  const lines = p.changes.flatMap((c) =>
    c.rows.flatMap((r) =>
      r.fields.map((f) =>
        el("tr", {}, el("td", {}, `${c.entity_type} ${c.entity_id}`), el("td", {}, `${r.table}.${f.column}`), el("td", {}, `${value(f.before)} → ${value(f.after)}`)),
      ),
    ),
  );
  const parts: Node[] = [
    el("p", { id: "fix-summary" }, `Changes to ${count(p.changes.length, "record")}; ${count(p.skipped.length, "record")} left alone.${p.more ? " More findings remain for a later run." : ""}`),
    el("table", { class: "grid wide", id: "fix-changes" }, el("tbody", {}, ...lines.slice(0, SHOWN))),
  ];
  if (lines.length > SHOWN) parts.push(el("p", { class: "muted" }, `… and ${formatCount(lines.length - SHOWN)} more changes`));
  const notes = p.changes.filter((c) => c.note).map((c) => el("li", {}, `${c.entity_type} ${c.entity_id}: ${c.note}`));
  const skipped = p.skipped.slice(0, SHOWN).map((s) => el("li", {}, `Left alone: ${s.entity_id}: ${s.reason}`));
  if (notes.length + skipped.length > 0) parts.push(el("ul", { class: "diagnosis" }, ...notes, ...skipped));
  return parts;
}

export function reportText(r: FixReport): string {
  const stopped = r.stopped_by ? ` Stopped: ${r.stopped_by.message}` : r.cancelled ? " Stopped before the end." : "";
  return `Fix ${r.fix_id}: ${count(r.applied.length, "record")} fixed, ${formatCount(r.skipped.length)} left alone.${stopped}`;
}

/** Previews `fixId`, asks, applies; resolves once the findings may have moved. */
export async function runFix(fixId: string, status: HTMLElement, showError: ShowError): Promise<void> {
  try {
    status.textContent = "Working out the fix…";
    const preview = await api.previewFix(fixId);
    status.textContent = "";
    if (preview.changes.length === 0) {
      showError({ code: "validation", message: `Nothing for ${fixId} to change${preview.skipped.length ? `; ${preview.skipped.length} records need a person` : ""}.` });
      return;
    }
    const reason = await confirmAction({
      title: `Apply ${fixId} to ${count(preview.changes.length, "record")}`,
      body: fixBody(preview),
      confirm: "Apply the fix",
      reason: "required",
      danger: true,
    });
    if (reason === null) return;
    const report = await api.applyFix(preview, reason === "" ? null : reason, jobId("fix"), (p) => {
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
