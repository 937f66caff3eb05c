// The orders view on a back end of its own: the list in the shop's own
// numbers and status words, an order's story (lines, totals with every
// disagreement said, the timeline and the emails about it), and moving or
// cancelling it through a preview of exactly what will change.
import { api, type ApiError, type MappedChange, type MappedOrder, type MappedOrderQuery, type MappedPreview, type MappedStory } from "./api";
import { confirmAction } from "./confirm";
import { byId, el, formatCount, money, showNotice, when, type ShowError } from "./dom";
import { latestOnly } from "./users";

const PAGE = 50;

/** The filter as typed: an order number, a customer, a status word. */
export function mappedOrderQuery(number: string, customer: string, status: string): MappedOrderQuery {
  const blank = (v: string) => (v.trim() === "" ? null : v.trim());
  return { statuses: status.trim() === "" ? [] : [status.trim()], placed_from: null, placed_until: null, customer: blank(customer), number: blank(number) };
}

const amount = (o: MappedOrder, minor: number | null): string => (minor === null ? "cannot be read exactly" : money(minor, o.currency));

export function mappedOrderRow(o: MappedOrder, onOpen: (id: string) => void): HTMLTableRowElement {
  const status = [o.status, ...o.also].join(" · ");
  const row = el(
    "tr",
    { "data-order": o.number, tabindex: "0", class: "clickable" },
    el("td", {}, o.number),
    el("td", {}, status),
    el("td", {}, o.email),
    el("td", { class: "num" }, amount(o, o.total)),
    el("td", {}, when(o.placed)),
  );
  row.addEventListener("click", () => onOpen(o.number));
  row.addEventListener("keydown", (e) => {
    if (e.key === "Enter") onOpen(o.number);
  });
  return row;
}

/** What a change is called on its button and in its dialog. */
export function mappedChangeLabel(c: MappedChange): string {
  return c.kind === "cancel" ? "Cancel order" : `Move to ${c.to}`;
}

export function mappedPreviewBody(p: MappedPreview): Node[] {
  const parts: Node[] = [el("p", {}, `Order ${p.number}: ${p.status_before} → ${p.status_after}.`)];
  if (p.stock.length > 0) parts.push(el("p", {}, "Stock given back:"), el("ul", { id: "mpreview-stock" }, ...p.stock.map((s) => el("li", {}, s))));
  return parts;
}

export function mappedStoryView(s: MappedStory, act: (c: MappedChange) => void): HTMLElement[] {
  const o = s.order;
  const m = (minor: number | null) => amount(o, minor);
  const actions = el("div", { class: "buttons", id: "morder-actions" });
  for (const to of s.moves.filter((w) => w !== s.cancel)) {
    const b = el("button", { type: "button", "data-move": to }, `Move to ${to}`);
    b.addEventListener("click", () => act({ kind: "transition", to }));
    actions.append(b);
  }
  if (s.cancel !== null) {
    const b = el("button", { type: "button", id: "morder-cancel", class: "danger" }, "Cancel order…");
    b.addEventListener("click", () => act({ kind: "cancel" }));
    actions.append(b);
  }
  const customer = o.customer === null ? "guest" : `user ${o.customer}`;
  const parts: HTMLElement[] = [
    el("h2", { id: "morder-title" }, `Order ${o.number} `, el("span", { class: "status", id: "morder-state" }, [o.status, ...o.also].join(" · "))),
    el("p", { class: "muted" }, `${o.email} · ${customer} · placed ${when(o.placed)}`),
  ];
  if (o.problem !== null) parts.push(el("p", { class: "diagnosis mismatch" }, o.problem));
  parts.push(
    el(
      "table",
      { class: "grid", id: "morder-items" },
      el("thead", {}, el("tr", {}, el("th", {}, "Item"), el("th", { class: "num" }, "Qty"), el("th", { class: "num" }, "Unit"), el("th", { class: "num" }, "Line"))),
      el(
        "tbody",
        {},
        ...s.items.map((i) => el("tr", {}, el("td", {}, i.title), el("td", { class: "num" }, formatCount(i.quantity)), el("td", { class: "num" }, m(i.unit_price)), el("td", { class: "num" }, m(i.line_total)))),
        ...s.fees.map((f) => el("tr", { class: "fee" }, el("td", {}, `Fee: ${f.title}`), el("td", {}), el("td", {}), el("td", { class: "num" }, m(f.amount)))),
      ),
    ),
    s.mismatches.length > 0
      ? el("ul", { class: "diagnosis mismatch", id: "morder-mismatches" }, ...s.mismatches.map((t) => el("li", {}, t)))
      : el("p", { class: "muted" }, "Totals agree with the lines."),
    el("p", {}, `Total ${m(o.total)} · shipping ${m(s.shipping)} · refunded ${m(s.refunded)}${s.refundable === null ? "" : ` · refundable ${m(s.refundable)}`}`),
    actions,
    el("h3", {}, "Timeline"),
    el("ol", { class: "timeline", id: "morder-timeline" }, ...s.timeline.map((t) => el("li", {}, el("span", { class: "muted" }, `${when(t.at)} · ${t.operator || "the back end"} · `), t.text))),
  );
  if (s.not_kept.length > 0) parts.push(el("h3", {}, "Not kept by this back end"), el("ul", { class: "notes" }, ...s.not_kept.map((n) => el("li", {}, n))));
  return parts;
}

export function mappedOrdersView(showError: ShowError): { show: () => void; open: (id: string) => Promise<void> } {
  const number = byId<HTMLInputElement>("morder-number");
  const customer = byId<HTMLInputElement>("morder-customer");
  const status = byId<HTMLInputElement>("morder-status");
  const body = byId("morders").querySelector("tbody") as HTMLTableSectionElement;
  const more = byId<HTMLButtonElement>("morders-more");
  const summary = byId("morders-summary");
  const panel = byId("morder-view");
  let seq = 0;
  let next: string | null = null;

  async function open(id: string, keepError = false): Promise<void> {
    try {
      render(await api.mappedOrderStory(id));
      if (!keepError) showError(null);
    } catch (e) {
      showError(e as ApiError);
    }
  }

  function render(s: MappedStory): void {
    body.querySelector(`tr[data-order="${CSS.escape(s.order.number)}"]`)?.replaceWith(mappedOrderRow(s.order, (k) => void open(k)));
    panel.replaceChildren(...mappedStoryView(s, (c) => void act(s, c)));
    panel.hidden = false;
  }

  async function act(s: MappedStory, change: MappedChange): Promise<void> {
    const id = s.order.number;
    try {
      const preview = await api.previewMappedOrderChange(id, s.version, change);
      const cancel = change.kind === "cancel";
      const reason = await confirmAction({
        title: `${mappedChangeLabel(change)} ${id}`,
        body: mappedPreviewBody(preview),
        confirm: mappedChangeLabel(change),
        reason: cancel ? "required" : "optional",
        danger: cancel,
      });
      if (reason === null) return;
      const after = await api.commitMappedOrderChange(id, s.version, change, reason === "" ? null : reason);
      render(after);
      showNotice(`Order ${id} is ${after.order.status} now.`);
      showError(null);
    } catch (e) {
      showError(e as ApiError);
      // Changed by someone else first: the story as it is now.
      if ((e as ApiError).code === "conflict") await open(id, true);
    }
  }

  async function load(append: boolean): Promise<void> {
    const mine = ++seq;
    summary.textContent = "Searching…";
    try {
      const page = await api.listMappedOrders(mappedOrderQuery(number.value, customer.value, status.value), { after: append ? next : null, limit: PAGE });
      if (mine !== seq) return;
      const rows = page.items.map((o) => mappedOrderRow(o, (k) => void open(k)));
      if (append) body.append(...rows);
      else body.replaceChildren(...rows);
      next = page.next;
      more.hidden = next === null;
      if (!append) summary.textContent = page.items.length === 0 ? "No orders match." : `${formatCount(page.items.length)}${next === null ? "" : "+"} shown`;
      showError(null);
    } catch (e) {
      if (mine !== seq) return;
      summary.textContent = "";
      showError(e as ApiError);
    }
  }

  const search = latestOnly(() => load(false));
  for (const input of [number, customer, status]) input.addEventListener("input", search);
  byId("morder-filters").addEventListener("submit", (e) => e.preventDefault());
  more.addEventListener("click", () => void load(true));
  return {
    show: () => {
      if (body.childElementCount === 0) void load(false);
    },
    open: (id) => open(id),
  };
}
