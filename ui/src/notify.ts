// Sending one notification: a preview of what the recipient will read, a
// confirmation, and the "already sent … by …" answer with a way to send
// again anyway (with a reason).
import { api, type ApiError, type FreeForm, type Rendered, type Template, type Triggered } from "./api";
import { confirmAction } from "./confirm";
import { el, showNotice, type ShowError } from "./dom";

export const templateNames: Record<Template, string> = {
  verify_email: "Verification email",
  password_reset: "Password reset",
  order_status: "Order status",
  order_shipped: "Order shipped",
  support_message: "Support message",
};

/** What the core writes where a profile without mail settings has no link base. */
const NO_LINK_BASE = "https://LINK-BASE";

export function renderedBody(r: Rendered): Node[] {
  const parts: Node[] = [el("p", {}, el("strong", {}, "Subject: "), r.subject), el("pre", { class: "mail", id: "mail-preview" }, r.text)];
  if (r.text.includes(NO_LINK_BASE)) {
    parts.push(
      el(
        "p",
        { class: "warning", id: "mail-no-settings" },
        `This profile has no mail settings, so links show ${NO_LINK_BASE} here. The message is queued with real links, but it leaves only from a console or \`backoffice outbox dispatch\` whose profile has mail settings (\`backoffice profile mail\`).`,
      ),
    );
  }
  return parts;
}

/** The sentence the operator sees once the trigger answered. */
export function outcomeText(t: Triggered): string {
  return t.outcome === "queued"
    ? `Queued as message ${t.message.id} to ${t.message.recipient}.`
    : t.notice;
}

export async function sendNotification(
  template: Template,
  user: string | null,
  order: string | null,
  showError: ShowError,
  message: FreeForm | null = null,
): Promise<Triggered | null> {
  const name = templateNames[template];
  try {
    const preview = await api.previewNotification(template, user, order, message);
    const ok = await confirmAction({
      title: `Send: ${name}`,
      body: renderedBody(preview),
      confirm: "Send",
      reason: "none",
      danger: false,
    });
    if (ok === null) return null;
    let result = await api.sendNotification(template, user, order, message, false, null);
    if (result.outcome === "already_sent") {
      showError({ code: "conflict", message: result.notice });
      const reason = await confirmAction({
        title: `${name}: ${result.notice}`,
        body: [el("p", {}, "Send it again anyway? The repeat is recorded in the audit log with your reason.")],
        confirm: "Send again",
        reason: "required",
        danger: true,
      });
      if (reason === null) return result;
      result = await api.sendNotification(template, user, order, message, true, reason);
    }
    showError(null);
    showNotice(outcomeText(result));
    return result;
  } catch (e) {
    showError(e as ApiError);
    return null;
  }
}
