// The notifications view: the templates with a preview for one recipient,
// and the bulk wizard (choose template and recipients, read the preview
// and one sample, confirm, queue in chunks with progress and Stop).
import { api, isApiError, jobId, type ApiError, type Audience, type BulkSendPreview, type BulkSendReport, type FreeForm, type Template, type TemplateInfo } from "./api";
import { confirmAction } from "./confirm";
import { byId, count, el, formatCount, showNotice, type ShowError } from "./dom";
import { renderedBody, sendNotification, templateNames } from "./notify";

/** "12, 13 14" → [12, 13, 14]; anything that is not an id is an error. */
export function parseIds(text: string): number[] | ApiError {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== "");
  const bad = parts.find((p) => !/^\d{1,15}$/.test(p));
  if (bad !== undefined) {
    return { code: "validation", message: `"${bad.slice(0, 20)}" is not an id; give ids separated by spaces or commas.` };
  }
  if (parts.length === 0) return { code: "validation", message: "Give at least one id." };
  return [...new Set(parts.map(Number))];
}

/** The audience the wizard's fields describe, or what is wrong with them. */
export function audienceOf(kind: string, days: string, ids: string): Audience | ApiError {
  if (kind === "unverified") {
    const n = Number(days);
    if (!Number.isInteger(n) || n < 1) return { code: "validation", message: "Days must be a whole number of at least 1." };
    return { by: "unverified", days: n };
  }
  const parsed = parseIds(ids);
  if (!Array.isArray(parsed)) return parsed;
  return kind === "orders" ? { by: "orders", ids: parsed } : { by: "users", ids: parsed };
}

export function freeForm(info: TemplateInfo | undefined, subject: string, body: string): FreeForm | null {
  return info?.needs_message ? { subject, body } : null;
}

/** "1,201 recipients: 1,200 to queue, 1 already notified recently (skipped)." */
export function bulkLine(p: BulkSendPreview): string {
  return `${count(p.recipients, "recipient")}: ${formatCount(p.to_queue)} to queue, ${formatCount(p.already_sent)} already notified recently (skipped).`;
}

/** What the confirmation says before a bulk send. */
export function bulkSummary(p: BulkSendPreview): Node[] {
  const parts: Node[] = [el("p", { id: "bulk-send-summary" }, bulkLine(p))];
  if (p.missing.length > 0) {
    const shown = p.missing.slice(0, 10).join(", ");
    const more = p.missing.length > 10 ? ` and ${formatCount(p.missing.length - 10)} more` : "";
    parts.push(el("p", { class: "warning" }, `Not found, left out: ${shown}${more}.`));
  }
  if (p.sample) {
    parts.push(el("p", { class: "muted" }, `What user ${p.sample_user ?? "?"} would receive:`), ...renderedBody(p.sample));
  }
  return parts;
}

/** "Queued 120, skipped 3 already notified, 1 refused." */
export function reportText(r: BulkSendReport): string {
  const head = r.cancelled ? "Stopped: queued" : "Queued";
  return `${head} ${formatCount(r.queued)}, skipped ${formatCount(r.skipped)} already notified, ${formatCount(r.refused)} refused.`;
}

export function sendingView(showError: ShowError): () => void {
  let templates: TemplateInfo[] = [];
  const chosen = (select: HTMLSelectElement) => templates.find((t) => t.template === select.value);

  function fillTemplates(select: HTMLSelectElement): void {
    const keep = select.value;
    select.replaceChildren(
      ...templates.filter((t) => t.allowed).map((t) => el("option", { value: t.template }, templateNames[t.template])),
    );
    if (templates.some((t) => t.template === keep && t.allowed)) select.value = keep;
  }

  // One recipient: the template's preview, then the usual send.
  const one = byId<HTMLSelectElement>("send-template");
  const oneSubject = byId<HTMLInputElement>("send-subject");
  const oneBody = byId<HTMLTextAreaElement>("send-body");
  const oneFields = () => {
    const info = chosen(one);
    byId("send-order-label").hidden = !info?.needs_order;
    byId("send-message").hidden = !info?.needs_message;
  };
  one.addEventListener("change", oneFields);
  byId<HTMLFormElement>("send-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const info = chosen(one);
    if (!info) return;
    const user = byId<HTMLInputElement>("send-user").value.trim();
    const order = byId<HTMLInputElement>("send-order").value.trim();
    // Keys are checked where they are read: a back end may key by text.
    void sendNotification(info.template, user === "" ? null : user, info.needs_order && order !== "" ? order : null, showError, freeForm(info, oneSubject.value, oneBody.value));
  });

  // Many recipients.
  const template = byId<HTMLSelectElement>("bulk-send-template");
  const kind = byId<HTMLSelectElement>("bulk-send-audience");
  const days = byId<HTMLInputElement>("bulk-send-days");
  const ids = byId<HTMLTextAreaElement>("bulk-send-ids");
  const subject = byId<HTMLInputElement>("bulk-send-subject");
  const body = byId<HTMLTextAreaElement>("bulk-send-body");
  const run = byId<HTMLButtonElement>("bulk-send-preview");
  const stop = byId<HTMLButtonElement>("bulk-send-stop");
  const bar = byId<HTMLProgressElement>("bulk-send-progress");
  const status = byId("bulk-send-status");
  let job: string | null = null;

  const fields = () => {
    days.hidden = kind.value !== "unverified";
    ids.hidden = kind.value === "unverified";
    ids.placeholder = kind.value === "orders" ? "Order ids, separated by spaces or commas" : "User ids, separated by spaces or commas";
    byId("bulk-send-message").hidden = !chosen(template)?.needs_message;
  };
  kind.addEventListener("change", fields);
  template.addEventListener("change", fields);

  const busy = (on: boolean) => {
    run.disabled = on;
    stop.hidden = !on;
    bar.hidden = !on;
    if (!on) {
      job = null;
      status.textContent = "";
    }
  };

  async function go(): Promise<void> {
    const info = chosen(template);
    const audience = audienceOf(kind.value, days.value, ids.value);
    if (!info) return;
    if (isApiError(audience)) {
      showError(audience);
      return;
    }
    const message = freeForm(info, subject.value, body.value);
    try {
      status.textContent = "Counting recipients…";
      const preview = await api.previewBulkNotification(info.template, audience, message);
      status.textContent = "";
      if (preview.to_queue === 0) {
        showError({ code: "validation", message: `Nobody to send to: ${bulkLine(preview)}` });
        return;
      }
      showError(null);
      const name = templateNames[info.template];
      const reason = await confirmAction({
        title: `${name} to ${count(preview.to_queue, "recipient")}`,
        body: bulkSummary(preview),
        confirm: `Queue ${count(preview.to_queue, "message")}`,
        reason: "optional",
        danger: true,
      });
      if (reason === null) return;
      busy(true);
      job = jobId("bulk-send");
      const report = await api.sendBulkNotification(info.template, audience, message, reason === "" ? null : reason, job, (p) => {
        bar.max = Math.max(p.total, 1);
        bar.value = p.done;
        status.textContent = `${p.stage}: ${formatCount(p.done)} of ${formatCount(p.total)}`;
      });
      showError(report.refusals.length ? { code: "validation", message: report.refusals.join("\n") } : null);
      showNotice(reportText(report));
    } catch (e) {
      showError(e as ApiError);
    } finally {
      busy(false);
    }
  }

  byId<HTMLFormElement>("bulk-send").addEventListener("submit", (e) => {
    e.preventDefault();
    void go();
  });
  stop.addEventListener("click", () => {
    if (job) void api.cancelJob(job);
  });

  function drawCatalogue(): void {
    const tbody = byId("templates").querySelector("tbody") as HTMLTableSectionElement;
    tbody.replaceChildren(
      ...templates.map((t) =>
        el(
          "tr",
          { "data-template": t.template },
          el("td", {}, templateNames[t.template]),
          el("td", {}, t.description),
          el("td", {}, t.needs_order ? "an order" : t.needs_message ? "a user, a subject and a text" : "a user"),
          el("td", {}, t.allowed ? "yes" : "not for your role"),
        ),
      ),
    );
    fillTemplates(one);
    fillTemplates(template);
    oneFields();
    fields();
  }

  return () => {
    void api
      .listTemplates()
      .then((list) => {
        templates = list;
        drawCatalogue();
      })
      .catch((e: unknown) => showError(e as ApiError));
  };
}
