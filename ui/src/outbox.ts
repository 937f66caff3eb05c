// The outbox: messages by status, with retry and cancel.
import { api, type ApiError, type Attempt, type MailStatus, type OutboxMessage, type OutboxFilter, type OutboxView } from "./api";
import { confirmAction } from "./confirm";
import { byId, el, relative, showNotice, when, type ShowError } from "./dom";
import { exportButton } from "./exporting";
import { pagedList } from "./list";
import { templateNames } from "./notify";
import { sortableHeaders } from "./sorting";

const RETRYABLE = ["failed", "uncertain"];
const CANCELLABLE = ["queued", "failed", "uncertain"];

export function outboxFilter(status: string, oldestFirst = false): OutboxFilter {
  return {
    status: status === "" ? null : (status as OutboxFilter["status"]),
    template: null,
    user_key: null,
    order_key: null,
    oldest_first: oldestFirst,
  };
}

/** Whether queued mail leaves from this window, in words. */
export function mailStatusText(s: MailStatus, now: Date = new Date()): string {
  switch (s.state) {
    case "delivering":
      return "Mail: this window delivers the outbox.";
    case "off":
      return `Mail: not delivered from this window (${s.reason}).`;
    case "failing":
      return `Mail: stopped on an error: ${s.error}. Trying again ${relative(s.retry_at, now)}.`;
    case "unreachable":
      return `Mail: the mail server is unreachable since ${relative(s.since, now)} (${s.error}). Next try ${relative(s.next_try, now)}; queued messages keep their attempts.`;
  }
}

/** A message as sent (links show a placeholder) and each attempt. */
export function messageDetail(v: OutboxView): Node[] {
  const attempt = (a: Attempt) =>
    el("tr", {}, el("td", { class: "num" }, String(a.attempt)), el("td", {}, when(a.started_at)), el("td", {}, a.outcome), el("td", {}, a.smtp_code === null ? "" : String(a.smtp_code)), el("td", {}, a.detail ?? ""));
  const parts: Node[] = [el("p", {}, el("strong", {}, "Subject: "), v.rendered.subject), el("pre", { class: "mail" }, v.rendered.text)];
  const replied = v.message.channel === "backend" ? "The back end's answer" : "Server's reply";
  if (v.message.smtp_reply) parts.push(el("p", { class: "muted" }, `${replied}: ${v.message.smtp_reply}`));
  parts.push(
    v.attempts.length === 0
      ? el("p", { class: "muted" }, "No attempt yet.")
      : el(
          "table",
          { class: "grid", "data-attempts": String(v.message.id) },
          el("thead", {}, el("tr", {}, el("th", { class: "num" }, "Attempt"), el("th", {}, "Started"), el("th", {}, "Outcome"), el("th", {}, "Code"), el("th", {}, "Detail"))),
          el("tbody", {}, ...v.attempts.map(attempt)),
        ),
  );
  return parts;
}

export function outboxView(showError: ShowError): () => void {
  const status = byId<HTMLSelectElement>("outbox-status");

  function row(m: OutboxMessage): HTMLTableRowElement[] {
    const buttons = el("td", { class: "buttons" });
    if (RETRYABLE.includes(m.status)) {
      const b = el("button", { type: "button", class: "secondary", "data-retry": String(m.id) }, "Retry…");
      b.addEventListener("click", () => void act(m, "retry"));
      buttons.append(b);
    }
    if (CANCELLABLE.includes(m.status)) {
      const b = el("button", { type: "button", class: "secondary", "data-cancel": String(m.id) }, "Cancel…");
      b.addEventListener("click", () => void act(m, "cancel"));
      buttons.append(b);
    }
    const error = m.last_error ? el("div", { class: "muted small" }, m.last_error) : "";
    const line = el(
      "tr",
      { "data-message": String(m.id), tabindex: "0", class: "clickable" },
      el("td", { class: "num" }, String(m.id)),
      el("td", {}, templateNames[m.template as keyof typeof templateNames] ?? m.template),
      el("td", {}, m.recipient),
      el("td", {}, el("span", { class: `status ${m.status}` }, m.status), error),
      el("td", {}, when(m.created_at)),
      el("td", {}, m.created_by),
      buttons,
    );
    // A click opens what was sent and every attempt, read when asked for.
    const cell = el("td", { colspan: "7" });
    const detail = el("tr", { class: "detail", hidden: "", "data-message-detail": String(m.id) }, cell);
    const toggle = async () => {
      detail.hidden = !detail.hidden;
      if (detail.hidden) return;
      try {
        cell.replaceChildren(...messageDetail(await api.showOutbox(m.id)));
      } catch (e) {
        showError(e as ApiError);
      }
    };
    line.addEventListener("click", (e) => {
      if (!(e.target instanceof HTMLButtonElement)) void toggle();
    });
    line.addEventListener("keydown", (e) => {
      if (e.key === "Enter") void toggle();
    });
    return [line, detail];
  }

  // Id and queued time sort alike: messages are numbered as they are queued.
  const sorting = sortableHeaders(byId<HTMLTableElement>("outbox"), { 0: "queued", 4: "queued" }, { key: "queued", ascending: false }, () => void list.reload());
  const list = pagedList<OutboxMessage>({
    body: byId("outbox").querySelector("tbody") as HTMLTableSectionElement,
    more: byId<HTMLButtonElement>("outbox-more"),
    summary: byId("outbox-summary"),
    fetch: (page) => api.listOutbox(outboxFilter(status.value, sorting.state().ascending), page),
    row,
    empty: "No messages.",
    showError,
  });

  async function act(m: OutboxMessage, what: "retry" | "cancel"): Promise<void> {
    const warning =
      what === "retry" && m.status === "uncertain"
        ? "The server may already have this message: retrying can deliver it twice."
        : what === "retry"
          ? "The message is queued again and sent at the next round."
          : "The message will not be sent.";
    const reason = await confirmAction({
      title: `${what === "retry" ? "Retry" : "Cancel"} message ${m.id} to ${m.recipient}`,
      body: [el("p", {}, warning)],
      confirm: what === "retry" ? "Retry" : "Cancel the message",
      reason: "optional",
      danger: what === "cancel" || m.status === "uncertain",
    });
    if (reason === null) return;
    try {
      const r = reason === "" ? null : reason;
      const after = what === "retry" ? await api.retryOutbox(m.id, r) : await api.cancelOutbox(m.id, r);
      showNotice(`Message ${after.id} is ${after.status}.`);
      await list.reload();
    } catch (e) {
      showError(e as ApiError);
    }
  }

  exportButton(byId<HTMLButtonElement>("outbox-export"), () => ({ list: "outbox", filter: outboxFilter(status.value, sorting.state().ascending) }), showError);
  status.addEventListener("change", () => void list.reload());
  const mail = byId("mail-status");
  return () => {
    void list.reload();
    api
      .mailStatus()
      .then((s) => {
        mail.textContent = mailStatusText(s);
        mail.className = s.state === "failing" || s.state === "unreachable" ? "warning" : "muted";
      })
      .catch((e: unknown) => showError(e as ApiError));
  };
}
