// The users view: search as you type (debounced, stale answers dropped),
// pages of 50 with "More", and the sign-in trouble card of the user picked.
// User data goes into the page as text only.
import { api, type ApiError, type TroubleCard, type User, type UserAction, type UserQuery } from "./api";
import { byId, el, formatCount, when } from "./dom";

const PAGE = 50;
const DEBOUNCE_MS = 200;

export function query(text: string): UserQuery {
  return {
    text,
    status: null,
    verified: null,
    role: null,
    created_from: null,
    created_until: null,
    sort: "created",
    oldest_first: false,
  };
}

export function userRow(u: User, onOpen: (id: number) => void): HTMLTableRowElement {
  const row = el(
    "tr",
    { "data-user": String(u.id), tabindex: "0", class: "clickable" },
    el("td", { class: "num" }, String(u.id)),
    el("td", {}, u.email),
    el("td", {}, u.display_name),
    el("td", {}, el("span", { class: `status ${u.status}` }, u.status)),
    el("td", {}, u.last_login_at === null ? "never" : when(u.last_login_at)),
  );
  row.addEventListener("click", () => onOpen(u.id));
  row.addEventListener("keydown", (e) => {
    if (e.key === "Enter") onOpen(u.id);
  });
  return row;
}

/** The lock or unlock the card offers for the user's status. */
export function offeredAction(u: User, reason: string): { label: string; action: UserAction } {
  return u.status === "locked"
    ? { label: "Unlock account", action: { kind: "unlock" } }
    : { label: "Lock account", action: { kind: "lock", reason, until: null } };
}

/** The confirmation form: a reason, and one explicit button. */
export function actionForm(u: User): HTMLFormElement {
  const { label } = offeredAction(u, "");
  return el(
    "form",
    { id: "user-actions", class: "actions", novalidate: "" },
    el("label", {}, "Reason (kept in the audit log)", el("input", { id: "action-reason", autocomplete: "off" })),
    el("button", { type: "submit", id: "action-submit", class: u.status === "locked" ? "" : "danger" }, label),
  );
}

export function cardView(card: TroubleCard): HTMLElement[] {
  const u = card.user;
  const diagnosis = el("ul", { id: "card-diagnosis", class: "diagnosis" }, ...card.diagnosis.map((d) => el("li", {}, d)));
  const fact = (name: string, value: string) => [el("dt", {}, name), el("dd", {}, value)];
  const facts = el(
    "dl",
    { class: "facts" },
    ...fact("Email", u.email),
    ...fact("Status", u.status + (u.lock_reason ? ` — ${u.lock_reason}` : "")),
    ...fact("Email verified", when(u.email_verified_at)),
    ...fact("Failed sign-ins", String(u.failed_login_count)),
    ...fact("Last sign-in", when(u.last_login_at)),
    ...fact("Created", when(u.created_at)),
    ...fact("Roles", u.roles.length ? u.roles.join(", ") : "none"),
  );
  const logins = el(
    "table",
    { class: "grid", id: "card-logins" },
    el("thead", {}, el("tr", {}, el("th", {}, "When"), el("th", {}, "Result"), el("th", {}, "From"))),
    el(
      "tbody",
      {},
      ...card.logins.map((l) =>
        el(
          "tr",
          {},
          el("td", {}, when(l.at)),
          el("td", {}, l.succeeded ? "signed in" : `failed${l.reason ? `: ${l.reason}` : ""}`),
          el("td", {}, l.ip ?? ""),
        ),
      ),
    ),
  );
  return [
    el("h2", { id: "card-title" }, u.display_name || u.email),
    el("p", { class: "muted" }, `User ${u.id} · version ${u.version}`),
    diagnosis,
    facts,
    actionForm(u),
    el("h3", {}, "Recent sign-ins"),
    card.logins.length ? logins : el("p", { class: "muted" }, "No sign-ins on record."),
  ];
}

type ShowError = (err: ApiError | null) => void;

/** Wires the view; returns what to call when it is shown. */
export function usersView(showError: ShowError): () => void {
  const input = byId<HTMLInputElement>("user-search");
  const body = byId("users").querySelector("tbody") as HTMLTableSectionElement;
  const more = byId<HTMLButtonElement>("users-more");
  const summary = byId("users-summary");
  let seq = 0;
  let next: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function open(id: number, keepError = false): Promise<void> {
    try {
      const card = await api.userCard(String(id));
      byId("card-view").replaceChildren(...cardView(card));
      byId("card-view").hidden = false;
      byId("user-actions").addEventListener("submit", (e) => {
        e.preventDefault();
        void act(card.user);
      });
      if (!keepError) showError(null);
    } catch (e) {
      showError(e as ApiError);
    }
  }

  async function act(u: User): Promise<void> {
    const reason = byId<HTMLInputElement>("action-reason").value.trim();
    const { action } = offeredAction(u, reason);
    byId<HTMLButtonElement>("action-submit").disabled = true;
    try {
      await api.userAction(u.id, u.version, action, reason === "" ? null : reason);
      await open(u.id);
    } catch (e) {
      showError(e as ApiError);
      // A conflict: show the account as it is now, ready to try again.
      if ((e as ApiError).code === "conflict") await open(u.id, true);
      else byId<HTMLButtonElement>("action-submit").disabled = false;
    }
  }

  async function load(append: boolean): Promise<void> {
    const mine = ++seq;
    summary.textContent = "Searching…";
    try {
      const page = await api.searchUsers(query(input.value), {
        after: append ? next : null,
        limit: PAGE,
      });
      if (mine !== seq) return; // a newer keystroke already asked again
      const rows = page.items.map((u) => userRow(u, (id) => void open(id)));
      if (append) body.append(...rows);
      else body.replaceChildren(...rows);
      next = page.next;
      more.hidden = next === null;
      const total = page.total;
      if (!append) {
        summary.textContent =
          page.items.length === 0
            ? "No users match."
            : total
              ? `${formatCount(total.count)}${total.capped ? "+" : ""} matching`
              : "";
      }
      showError(null);
    } catch (e) {
      if (mine === seq) {
        summary.textContent = "";
        showError(e as ApiError);
      }
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(false), DEBOUNCE_MS);
  });
  more.addEventListener("click", () => void load(true));
  document.addEventListener("keydown", (e) => {
    const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
    if (e.key === "/" && !typing && !byId("users-view").hidden) {
      e.preventDefault();
      input.focus();
    }
    if (e.key === "Escape") byId("card-view").hidden = true;
  });
  return () => {
    byId("users-view").hidden = false;
    void load(false);
  };
}
