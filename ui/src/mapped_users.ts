// The users view on a back end of its own: search through the mapping
// (debounced, stale answers dropped), pages of 50, and the account's card
// with what the back end keeps, what it does not, and the account actions
// it allows: each offered, or shown disabled with the reason on hover.
import { can } from "./access";
import { api, type ApiError, type MappedCard, type MappedUser, type Offer, type Template, type UserAction } from "./api";
import { confirmAction } from "./confirm";
import { byId, el, formatCount, showNotice, when, type ShowError } from "./dom";
import { sendNotification } from "./notify";
import { latestOnly, mailButtons, query, searchHint, sentSection } from "./users";

const PAGE = 50;

/** The account actions the card offers as buttons: those that need no value. */
export const CARD_ACTIONS: Record<string, { label: string; action: UserAction; danger: boolean }> = {
  unlock: { label: "Unlock", action: { kind: "unlock" }, danger: false },
  reset_failed_sign_ins: { label: "Reset failed sign-ins", action: { kind: "reset_failed_sign_ins" }, danger: false },
  disable: { label: "Disable", action: { kind: "disable" }, danger: true },
  enable: { label: "Enable", action: { kind: "enable" }, danger: false },
};

/** "locked" while locked out, else the back end's state, or "—". */
export function stateOf(u: MappedUser): string {
  return u.locked === true ? "locked" : (u.state ?? "—");
}

export function mappedRow(u: MappedUser, onOpen: (key: string) => void): HTMLTableRowElement {
  const row = el(
    "tr",
    { "data-user": u.key, tabindex: "0", class: "clickable" },
    el("td", {}, u.key),
    el("td", {}, u.email),
    el("td", {}, u.name),
    el("td", { class: "narrow" }, el("span", { class: `status ${stateOf(u)}` }, stateOf(u))),
    el("td", {}, when(u.last_sign_in)),
  );
  row.addEventListener("click", () => onOpen(u.key));
  row.addEventListener("keydown", (e) => {
    if (e.key === "Enter") onOpen(u.key);
  });
  return row;
}

const yesNo = (v: boolean | null): string => (v === null ? "not kept" : v ? "yes" : "no");

/** The card: the account as the back end keeps it, and its actions. */
export function mappedCard(card: MappedCard, onAct: (offer: Offer) => void): HTMLElement[] {
  const u = card.user;
  const facts: [string, string][] = [
    ["Key", u.key],
    ["Email", u.email],
    ["State", stateOf(u)],
    ["Email verified", yesNo(u.verified)],
    ["Failed sign-ins", u.failed_attempts === null ? "not kept" : String(u.failed_attempts)],
    ["Last sign-in", u.last_sign_in === null ? "never, or not kept" : when(u.last_sign_in)],
    ["Joined", when(u.created)],
  ];
  if (u.pending_email !== null) facts.push(["Waiting to confirm", u.pending_email]);
  if (card.roles !== null) facts.push(["Roles", card.roles.length === 0 ? "none" : card.roles.join(", ")]);
  const buttons = card.actions
    .filter((o) => o.action in CARD_ACTIONS)
    .map((o) => {
      const b = el("button", { type: "button", "data-action": o.action, class: CARD_ACTIONS[o.action]?.danger ? "danger secondary" : "secondary" }, CARD_ACTIONS[o.action]?.label ?? o.action);
      b.disabled = !o.available;
      if (o.reason) b.title = o.reason;
      b.addEventListener("click", () => onAct(o));
      return b;
    });
  const parts: HTMLElement[] = [
    el("h2", {}, u.name === "" ? u.email : u.name),
    el("dl", { class: "facts" }, ...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
    el("div", { class: "buttons", id: "mcard-actions" }, ...buttons),
    mailButtons(u.verified !== true, can("send_account_emails"), "mcard-mail"),
  ];
  if (card.sign_ins !== null) {
    parts.push(
      el("h3", {}, "Latest sign-ins"),
      card.sign_ins.length === 0
        ? el("p", { class: "muted" }, "None recorded.")
        : el(
          "table",
          { class: "grid" },
          el("tbody", {}, ...card.sign_ins.map((s) => el("tr", {}, el("td", {}, when(s.at)), el("td", {}, s.succeeded === null ? "" : s.succeeded ? "succeeded" : "failed"), el("td", {}, s.ip ?? "")))),
        ),
    );
  }
  parts.push(...sentSection(card.notifications));
  if (card.not_known.length > 0) {
    parts.push(el("h3", {}, "Not kept by this back end"), el("ul", { class: "notes" }, ...card.not_known.map((n) => el("li", {}, n))));
  }
  return parts;
}

export function mappedUsersView(showError: ShowError): { show: () => void; open: (key: string) => Promise<void> } {
  const input = byId<HTMLInputElement>("muser-search");
  const body = byId("musers").querySelector("tbody") as HTMLTableSectionElement;
  const more = byId<HTMLButtonElement>("musers-more");
  const summary = byId("musers-summary");
  const panel = byId("mcard-view");
  let seq = 0;
  let next: string | null = null;

  async function open(key: string, keepError = false): Promise<void> {
    try {
      const card = await api.mappedUserCard(key);
      body.querySelector(`tr[data-user="${CSS.escape(card.user.key)}"]`)?.replaceWith(mappedRow(card.user, (k) => void open(k)));
      panel.replaceChildren(...mappedCard(card, (o) => void act(card, o)));
      panel.hidden = false;
      for (const b of panel.querySelectorAll<HTMLButtonElement>("#mcard-mail button[data-send]")) {
        // The card then lists the new message.
        b.addEventListener("click", () => void sendNotification(b.dataset["send"] as Template, card.user.key, null, showError).then((sent) => (sent === null ? undefined : open(card.user.key, true))));
      }
      if (!keepError) showError(null);
    } catch (e) {
      showError(e as ApiError);
    }
  }

  async function act(card: MappedCard, offer: Offer): Promise<void> {
    const what = CARD_ACTIONS[offer.action];
    if (!what) return;
    const who = card.user.name === "" ? card.user.email : card.user.name;
    const reason = await confirmAction({
      title: `${what.label}: ${who}`,
      body: [el("p", {}, `${what.label} the account ${card.user.key} in the back end's own tables, as its framework would; the audit log keeps who did it and why.`)],
      confirm: what.label,
      reason: "optional",
      danger: what.danger,
    });
    if (reason === null) return;
    try {
      const after = await api.mappedUserAction(card.user.key, card.version, what.action, reason === "" ? null : reason);
      panel.replaceChildren(...mappedCard(after, (o) => void act(after, o)));
      body.querySelector(`tr[data-user="${CSS.escape(after.user.key)}"]`)?.replaceWith(mappedRow(after.user, (k) => void open(k)));
      showNotice(`User ${after.user.key}: ${what.label.toLowerCase()} done; the account is ${stateOf(after.user)} now.`);
    } catch (e) {
      showError(e as ApiError);
      // Changed by someone else first: the card as it is now.
      if ((e as ApiError).code === "conflict") await open(card.user.key, true);
    }
  }

  async function load(append: boolean): Promise<void> {
    const mine = ++seq;
    summary.textContent = "Searching…";
    try {
      const page = await api.searchMappedUsers(query(input.value), { after: append ? next : null, limit: PAGE });
      if (mine !== seq) return;
      const rows = page.items.map((u) => mappedRow(u, (k) => void open(k)));
      if (append) body.append(...rows);
      else body.replaceChildren(...rows);
      next = page.next;
      more.hidden = next === null;
      if (!append) summary.textContent = page.items.length === 0 ? "No users match." : `${formatCount(page.items.length)}${next === null ? "" : "+"} shown`;
      showError(null);
    } catch (e) {
      if (mine !== seq) return;
      const hint = searchHint(e as ApiError);
      summary.textContent = hint ?? "";
      showError(hint === null ? (e as ApiError) : null);
    }
  }

  const search = latestOnly(() => load(false));
  input.addEventListener("input", search);
  byId("muser-filters").addEventListener("submit", (e) => e.preventDefault());
  more.addEventListener("click", () => void load(true));
  return {
    show: () => {
      if (body.childElementCount === 0) void load(false);
      input.focus();
    },
    open: (key) => open(key),
  };
}
