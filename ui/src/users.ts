// The users view: search as you type (debounced, stale answers dropped),
// pages of 50 with "More", and the sign-in trouble card of the user picked.
// User data goes into the page as text only.
import { can } from "./access";
import { sortableHeaders } from "./sorting";
import { api, type ApiError, type Sent, type Template, type TroubleCard, type User, type UserAction, type UserQuery } from "./api";
import { byId, el, formatCount, showNotice, when, type ShowError } from "./dom";
import { conflictBox, differences, type Field } from "./conflict";
import { exportButton } from "./exporting";
import { dayEnd, dayStart } from "./filters";
import { sendNotification } from "./notify";

const PAGE = 50;

/**
 * A search text the core will not look up (too short, too long) is said
 * beside the box, in the core's words, rather than as an error: the
 * operator is still typing. Other failures are errors.
 */
export function searchHint(err: ApiError): string | null {
  if (err.code !== "validation") return null;
  return err.message.charAt(0).toUpperCase() + err.message.slice(1) + ".";
}

/**
 * Runs `task` for the newest request only, one at a time: a request made
 * while one runs waits for it, and of the requests that waited only the
 * last runs. Typing fast costs one query per answer, not one per key, and
 * the first key is answered at once.
 */
export function latestOnly(task: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const go = async (): Promise<void> => {
    running = true;
    try {
      await task();
    } finally {
      running = false;
      if (again) {
        again = false;
        void go();
      }
    }
  };
  return () => {
    if (running) again = true;
    else void go();
  };
}

/** What a conflict compares on the card. */
export const USER_FIELDS: Field<User>[] = [
  { label: "Status", show: (u) => u.status },
  { label: "Locked until", show: (u) => (u.locked_until ? when(u.locked_until) : "not locked") },
  { label: "Lock reason", show: (u) => u.lock_reason ?? "" },
  { label: "Email", show: (u) => u.email },
  { label: "Display name", show: (u) => u.display_name },
  { label: "Email verified", show: (u) => when(u.email_verified_at) },
  { label: "Failed sign-ins", show: (u) => String(u.failed_login_count) },
  { label: "Roles", show: (u) => u.roles.join(", ") },
];

/** The filters beside the search box, as the selects hold them. */
export interface UserFilters {
  status: string;
  verified: string;
  sort: string;
  role?: string;
  /** Days joined, both included ("2026-11-24"). */
  from?: string;
  to?: string;
}

export function query(text: string, f: UserFilters = { status: "", verified: "", sort: "created" }): UserQuery {
  const role = (f.role ?? "").trim();
  return {
    text,
    status: f.status === "" ? null : (f.status as UserQuery["status"]),
    verified: f.verified === "" ? null : f.verified === "yes",
    role: role === "" ? null : role,
    created_from: dayStart(f.from ?? ""),
    created_until: dayEnd(f.to ?? ""),
    sort: f.sort === "last_sign_in" ? "last_sign_in" : "created",
    oldest_first: f.sort === "oldest",
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

/** "locked", "unlocked": what an action did, for the notice after it. */
export function actionDone(a: UserAction): string {
  switch (a.kind) {
    case "lock":
      return "locked";
    case "unlock":
      return "unlocked";
    case "reset_failed_sign_ins":
      return "failed sign-ins reset";
    case "disable":
      return "disabled";
    case "enable":
      return "enabled";
    case "change_email":
      return "email address changed";
    case "change_display_name":
      return "display name changed";
    case "grant_role":
      return `role ${a.role} granted`;
    case "revoke_role":
      return `role ${a.role} revoked`;
  }
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

/**
 * The account emails the card offers: a verification only while the
 * address is unverified, and none where the operator may not send them.
 */
/** The account emails a card offers: verification only to an address not verified yet. */
export function mailButtons(unverified: boolean, allowed: boolean, id = "card-mail"): HTMLElement {
  const button = (template: Template, label: string) =>
    el("button", { type: "button", class: "secondary", "data-send": template }, label);
  const box = el("div", { class: "buttons", id });
  if (!allowed) return box;
  if (unverified) box.append(button("verify_email", "Send verification email…"));
  box.append(button("password_reset", "Send password reset…"));
  return box;
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
    can("lock_users") ? actionForm(u) : el("p", { class: "muted" }, "Your role may not lock or unlock accounts."),
    mailButtons(u.email_verified_at === null, can("send_account_emails")),
    el("h3", {}, "Recent sign-ins"),
    card.logins.length ? logins : el("p", { class: "muted" }, "No sign-ins on record."),
    ...sentSection(card.notifications),
  ];
}

/** "Emails to this user", newest first, or that nothing was sent. */
export function sentSection(sent: Sent[]): HTMLElement[] {
  return [el("h3", {}, "Emails to this user"), sent.length ? sentList(sent) : el("p", { class: "muted" }, "Nothing sent to this user.")];
}

/** What was sent, newest first: support sees whether the customer was told. */
export function sentList(sent: Sent[]): HTMLElement {
  return el(
    "ul",
    { class: "timeline", id: "card-sent" },
    ...sent.map((s) =>
      el("li", {}, el("span", { class: "muted" }, `${when(s.created_at)} · ${s.created_by} · `), `${s.template}${s.channel === "backend" ? " (the back end's own email)" : ""} to ${s.recipient}: ${s.status}`),
    ),
  );
}

/** Wires the view; returns what to call when it is shown, and how to open one user. */
export function usersView(showError: ShowError): { show: () => void; open: (key: string) => Promise<void> } {
  const input = byId<HTMLInputElement>("user-search");
  const body = byId("users").querySelector("tbody") as HTMLTableSectionElement;
  const more = byId<HTMLButtonElement>("users-more");
  const summary = byId("users-summary");
  const filters = (): UserFilters => ({
    status: byId<HTMLSelectElement>("user-status").value,
    verified: byId<HTMLSelectElement>("user-verified").value,
    sort: byId<HTMLSelectElement>("user-sort").value,
    role: byId<HTMLInputElement>("user-role").value,
    from: byId<HTMLInputElement>("user-from").value,
    to: byId<HTMLInputElement>("user-to").value,
  });
  let seq = 0;
  let next: string | null = null;
  // When the last key was pressed, to report how long its answer took.
  let typedAt = 0;

  /** Opens the card; after a conflict, `before` is the user as the operator saw it. */
  async function open(key: number | string, keepError = false, before: User | null = null): Promise<void> {
    try {
      const card = await api.userCard(String(key));
      // The list row of this user shows it as it is now, too.
      body.querySelector(`tr[data-user="${card.user.id}"]`)?.replaceWith(userRow(card.user, (id) => void open(id)));
      byId("card-view").replaceChildren(...cardView(card));
      if (before) byId("card-view").prepend(conflictBox(differences(before, card.user, USER_FIELDS)));
      byId("card-view").hidden = false;
      byId("user-actions").addEventListener("submit", (e) => {
        e.preventDefault();
        void act(card.user);
      });
      for (const b of byId("card-mail").querySelectorAll<HTMLButtonElement>("button[data-send]")) {
        b.addEventListener("click", () => {
          // The card shows the new message (and the list row the account) as they are now.
          void sendNotification(b.dataset["send"] as Template, String(card.user.id), null, showError).then((sent) => (sent === null ? undefined : open(card.user.id, true)));
        });
      }
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
      const after = await api.userAction(u.id, u.version, action, reason === "" ? null : reason);
      await open(u.id);
      showNotice(`User ${after.id}: ${actionDone(action)}; the account is ${after.status} now.`);
    } catch (e) {
      showError(e as ApiError);
      // A conflict: show the account as it is now, ready to try again.
      if ((e as ApiError).code === "conflict") await open(u.id, true, u);
      else byId<HTMLButtonElement>("action-submit").disabled = false;
    }
  }

  async function load(append: boolean): Promise<void> {
    const mine = ++seq;
    const text = input.value;
    summary.textContent = "Searching…";
    try {
      const page = await api.searchUsers(query(text, filters()), {
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
      if (!append && text === input.value) {
        // Keystroke to results in the page, for the benchmark.
        summary.dataset["latencyMs"] = (performance.now() - typedAt).toFixed(1);
      }
    } catch (e) {
      if (mine !== seq) return;
      const hint = searchHint(e as ApiError);
      summary.textContent = hint ?? "";
      if (hint !== null && !append) {
        body.replaceChildren();
        more.hidden = true;
      }
      showError(hint === null ? (e as ApiError) : null);
    }
  }

  const search = latestOnly(() => load(false));
  // Id (when the account was made) and Last sign-in sort in the core; the
  // order select and the headers are two handles on the same setting.
  const sortSelect = byId<HTMLSelectElement>("user-sort");
  const headerState = () => ({ key: sortSelect.value === "last_sign_in" ? "last_sign_in" : "created", ascending: sortSelect.value === "oldest" });
  const sorting = sortableHeaders(byId<HTMLTableElement>("users"), { 0: "created", 4: "last_sign_in" }, headerState(), (s) => {
    // The core sorts last sign-ins newest first only.
    sortSelect.value = s.key === "last_sign_in" ? "last_sign_in" : s.ascending ? "oldest" : "created";
    sorting.set(headerState());
    search();
  });
  sortSelect.addEventListener("change", () => sorting.set(headerState()));
  input.addEventListener("input", () => {
    typedAt = performance.now();
    search();
  });
  byId("user-filters").addEventListener("submit", (e) => e.preventDefault());
  for (const id of ["user-status", "user-verified", "user-sort", "user-role", "user-from", "user-to"]) {
    byId(id).addEventListener(id === "user-role" ? "input" : "change", () => {
      typedAt = performance.now();
      search();
    });
  }
  more.addEventListener("click", () => void load(true));
  exportButton(byId<HTMLButtonElement>("users-export"), () => ({ list: "users", query: query(input.value, filters()) }), showError);
  document.addEventListener("keydown", (e) => {
    const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
    if (e.key === "/" && !typing && !byId("users-view").hidden) {
      e.preventDefault();
      input.focus();
    }
  });
  return {
    show: () => {
      if (body.childElementCount === 0) void load(false);
      input.focus();
    },
    open: (key) => open(key),
  };
}
