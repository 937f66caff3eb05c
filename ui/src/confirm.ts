// One confirmation dialog for every destructive or outward action: what
// will happen, an optional or required reason, and one explicit button.
import { byId } from "./dom";

export interface ConfirmOptions {
  title: string;
  body: Node[];
  confirm: string;
  /** Whether a reason is asked for, and whether it must be given. */
  reason: "none" | "optional" | "required";
  danger?: boolean;
}

/** Resolves with the reason ("" when none) or null when the operator backs out. */
export function confirmAction(opts: ConfirmOptions): Promise<string | null> {
  const dialog = byId<HTMLDialogElement>("confirm-dialog");
  const form = byId<HTMLFormElement>("confirm-form");
  const reason = byId<HTMLInputElement>("confirm-reason");
  const ok = byId<HTMLButtonElement>("confirm-ok");
  byId("confirm-title").textContent = opts.title;
  byId("confirm-body").replaceChildren(...opts.body);
  byId("confirm-reason-label").hidden = opts.reason === "none";
  reason.value = "";
  reason.required = opts.reason === "required";
  ok.textContent = opts.confirm;
  ok.className = opts.danger === false ? "" : "danger";
  return new Promise((resolve) => {
    const done = (value: string | null) => {
      form.removeEventListener("submit", onSubmit);
      byId("confirm-cancel").removeEventListener("click", onBack);
      dialog.removeEventListener("cancel", onBack);
      if (dialog.open) dialog.close();
      resolve(value);
    };
    const onSubmit = (e: Event) => {
      e.preventDefault();
      const text = reason.value.trim();
      if (opts.reason === "required" && text === "") {
        reason.setCustomValidity("Say why; it is kept in the audit log.");
        reason.reportValidity();
        return;
      }
      reason.setCustomValidity("");
      done(text);
    };
    const onBack = (e: Event) => {
      e.preventDefault();
      done(null);
    };
    form.addEventListener("submit", onSubmit);
    byId("confirm-cancel").addEventListener("click", onBack);
    dialog.addEventListener("cancel", onBack);
    dialog.showModal();
    if (opts.reason === "none") ok.focus();
    else reason.focus();
  });
}
