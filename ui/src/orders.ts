// The orders view: filters, the list, and the order's story with its
// changes (each through a preview the operator confirms) and notes.
import { api, type ApiError, type Order, type OrderChange, type OrderQuery, type OrderSort, type OrderStatus, type OrderStory, type Preview } from "./api";
import { sortableHeaders } from "./sorting";
import { can } from "./access";
import { bulkOrders } from "./bulk";
import { confirmAction } from "./confirm";
import { byId, el, fractionDigits, money, showNotice, when, type ShowError } from "./dom";
import { conflictBox, differences, type Field } from "./conflict";
import { exportButton } from "./exporting";
import { currencyCode, dayEnd, dayStart, minorUnits } from "./filters";
import { pagedList } from "./list";

const DEBOUNCE_MS = 200;

/** What a conflict compares on the story. */
export const STORY_FIELDS: Field<OrderStory>[] = [
  { label: "Status", show: (s) => s.order.status },
  { label: "Total", show: (s) => money(s.order.total_cents, s.order.currency) },
  { label: "Refunded", show: (s) => money(s.refunded_cents, s.order.currency) },
  { label: "Items", show: (s) => s.items.map((i) => `${i.quantity} × ${i.sku}`).join(", ") },
  { label: "Notes", show: (s) => String(s.notes.length) },
];

/** The order filters as the fields hold them. */
export interface OrderFilters {
  customer: string;
  status: string;
  withFindings: boolean;
  /** Days placed, both included ("2026-11-24"). */
  from: string;
  to: string;
  /** Totals in major units of `currency` (or of each order's own), both included. */
  min: string;
  max: string;
  /** Three letters, or empty for any currency. */
  currency: string;
  /** The column the list is sorted by (headers), newest or largest first unless ascending. */
  sort?: OrderSort;
  ascending?: boolean;
}

/** The query the filters describe; throws a validation error for a bad amount. */
export function orderQuery(f: OrderFilters): OrderQuery {
  const currency = currencyCode(f.currency, "Currency");
  const digits = (currency === null ? null : fractionDigits(currency)) ?? 2;
  return {
    statuses: f.status === "" ? [] : [f.status as OrderStatus],
    placed_from: dayStart(f.from),
    placed_until: dayEnd(f.to),
    customer: f.customer.trim() === "" ? null : f.customer.trim(),
    total_min: minorUnits(f.min, "Total from", digits),
    total_max: minorUnits(f.max, "Total up to", digits),
    currency,
    ids: [],
    has_open_findings: f.withFindings,
    sort: f.sort ?? "placed",
    ascending: f.ascending ?? false,
  };
}

export function orderRow(o: Order, onOpen: (id: number) => void): HTMLTableRowElement {
  const row = el(
    "tr",
    { "data-order": String(o.id), tabindex: "0", class: "clickable" },
    el("td", { class: "num" }, String(o.id)),
    el("td", {}, when(o.placed_at)),
    el("td", {}, o.customer_email || `user ${o.user_id}`),
    el("td", {}, el("span", { class: `status ${o.status}` }, o.status)),
    el("td", { class: "num" }, money(o.total_cents, o.currency)),
  );
  row.addEventListener("click", () => onOpen(o.id));
  row.addEventListener("keydown", (e) => {
    if (e.key === "Enter") onOpen(o.id);
  });
  return row;
}

/** "mark packed", "cancel", "refund": the change in a few words. */
export function changeLabel(change: OrderChange): string {
  return change.kind === "transition" ? `mark ${change.to}` : change.kind;
}

/** What a preview shows before the operator confirms. */
export function previewBody(p: Preview): Node[] {
  const parts: Node[] = [el("p", { id: "preview-summary" }, p.summary)];
  if (p.refund_cents > 0) {
    parts.push(el("p", {}, `Refund ${money(p.refund_cents, p.currency)}; still refundable after: ${money(p.refundable_after_cents, p.currency)}.`));
  }
  if (p.stock.length > 0) {
    parts.push(
      el(
        "table",
        { class: "grid", id: "preview-stock" },
        el("thead", {}, el("tr", {}, el("th", {}, "Product"), el("th", { class: "num" }, "Back on the shelf"), el("th", { class: "num" }, "Stock"))),
        el(
          "tbody",
          {},
          ...p.stock.map((s) =>
            el("tr", {}, el("td", {}, `${s.sku} — ${s.name}`), el("td", { class: "num" }, String(s.quantity)), el("td", { class: "num" }, `${s.before} → ${s.after}`)),
          ),
        ),
      ),
    );
  }
  if (p.warnings.length > 0) {
    parts.push(el("ul", { class: "diagnosis" }, ...p.warnings.map((w) => el("li", {}, w))));
  }
  return parts;
}

function itemsTable(s: OrderStory): HTMLTableElement {
  const o = s.order;
  const m = (c: number) => money(c, o.currency);
  const foot = (label: string, cents: number, id: string) =>
    el("tr", { class: "sum", id }, el("td", { colspan: "4" }, label), el("td", { class: "num" }, m(cents)));
  const mismatch = s.totals.mismatches.length > 0;
  const total = foot("Total", o.total_cents, "order-total");
  if (mismatch) total.classList.add("mismatch");
  return el(
    "table",
    { class: "grid wide", id: "order-items" },
    el("thead", {}, el("tr", {}, el("th", {}, "SKU"), el("th", {}, "Product"), el("th", { class: "num" }, "Qty"), el("th", { class: "num" }, "Unit"), el("th", { class: "num" }, "Line"))),
    el(
      "tbody",
      {},
      ...s.items.map((i) =>
        el("tr", {}, el("td", {}, i.sku), el("td", {}, i.name), el("td", { class: "num" }, String(i.quantity)), el("td", { class: "num" }, m(i.unit_price_cents)), el("td", { class: "num" }, m(i.line_total_cents))),
      ),
      foot("Subtotal", o.subtotal_cents, "order-subtotal"),
      foot("Shipping", o.shipping_cents, "order-shipping"),
      foot("Discount", o.discount_cents === 0 ? 0 : -o.discount_cents, "order-discount"),
      foot("Tax", o.tax_cents, "order-tax"),
      total,
    ),
  );
}

/** The order's story as the panel shows it; `act` runs a change. */
export function storyView(s: OrderStory, act: (change: OrderChange) => void, note: (body: string) => void): HTMLElement[] {
  const o = s.order;
  const m = (c: number) => money(c, o.currency);
  const actions = el("div", { class: "buttons", id: "order-actions" });
  if (s.next_status) {
    const to = s.next_status;
    const b = el("button", { type: "button", id: "order-next" }, `Mark ${to}`);
    b.addEventListener("click", () => act({ kind: "transition", to }));
    actions.append(b);
  }
  if (s.can_cancel) {
    const b = el("button", { type: "button", id: "order-cancel", class: "danger" }, "Cancel order…");
    b.addEventListener("click", () => act({ kind: "cancel" }));
    actions.append(b);
  }
  if (s.refundable_cents > 0 && can("refund")) {
    const b = el("button", { type: "button", id: "order-refund", class: "danger" }, "Refund what is left…");
    b.addEventListener("click", () => act({ kind: "refund", amount_cents: null }));
    actions.append(b);
  }
  const noteInput = el("textarea", { id: "note-body", rows: "2", "aria-label": "Note" });
  const noteForm = el("form", { id: "note-form", class: "actions", novalidate: "" }, el("label", {}, "Add a note", noteInput), el("button", { type: "submit" }, "Add note"));
  noteForm.addEventListener("submit", (e) => {
    e.preventDefault();
    note(noteInput.value);
  });
  return [
    el("h2", { id: "order-title" }, `Order ${o.id} `, el("span", { class: `status ${o.status}`, id: "order-state" }, o.status)),
    el("p", { class: "muted" }, `${s.customer.display_name || "(no name)"} · ${s.customer.email} · user ${s.customer.id} · version ${o.version}`),
    itemsTable(s),
    s.totals.mismatches.length
      ? el("ul", { class: "diagnosis mismatch", id: "order-mismatches" }, ...s.totals.mismatches.map((t) => el("li", {}, t)))
      : el("p", { class: "muted" }, "Totals agree with the items."),
    el("p", {}, `Paid ${m(s.paid_cents)} · refunded ${m(s.refunded_cents)} · refundable ${m(s.refundable_cents)}`),
    actions,
    noteForm,
    el("h3", {}, "Timeline"),
    el(
      "ol",
      { class: "timeline", id: "order-timeline" },
      ...s.timeline.map((t) => el("li", {}, el("span", { class: "muted" }, `${when(t.at)} · ${t.operator || "system"} · `), t.text)),
    ),
  ];
}

/** Wires the view; returns what to call when it is shown, and how to open one order. */
export function ordersView(showError: ShowError): { show: () => void; open: (id: number) => Promise<void> } {
  const customer = byId<HTMLInputElement>("order-customer");
  const status = byId<HTMLSelectElement>("order-status");
  const findings = byId<HTMLInputElement>("order-findings");
  const value = (id: string) => byId<HTMLInputElement>(id).value;
  const query = () =>
    orderQuery({
      customer: customer.value,
      status: status.value,
      withFindings: findings.checked,
      from: value("order-from"),
      to: value("order-to"),
      min: value("order-min"),
      max: value("order-max"),
      currency: value("order-currency"),
      sort: sorting.state().key as OrderSort,
      ascending: sorting.state().ascending,
    });
  // Placed and Total sort in the core (keyset pages follow).
  const sorting = sortableHeaders(byId<HTMLTableElement>("orders"), { 1: "placed", 4: "total" }, { key: "placed", ascending: false }, () => void list.reload());
  const panel = byId("order-view");
  let timer: ReturnType<typeof setTimeout> | undefined;

  const list = pagedList<Order>({
    body: byId("orders").querySelector("tbody") as HTMLTableSectionElement,
    more: byId<HTMLButtonElement>("orders-more"),
    summary: byId("orders-summary"),
    fetch: (page) => api.listOrders(query(), page),
    row: (o) => orderRow(o, (id) => void open(id)),
    empty: "No orders match.",
    showError,
  });

  /** Opens the story; after a conflict, `before` is the story as the operator saw it. */
  async function open(id: number, keepError = false, before: OrderStory | null = null): Promise<void> {
    try {
      const story = await api.orderStory(id);
      panel.replaceChildren(
        ...storyView(
          story,
          (change) => void change_(story, change),
          (body) => void note(story, body),
        ),
      );
      if (before) panel.prepend(conflictBox(differences(before, story, STORY_FIELDS)));
      panel.hidden = false;
      if (!keepError) showError(null);
    } catch (e) {
      showError(e as ApiError);
    }
  }

  async function change_(story: OrderStory, change: OrderChange): Promise<void> {
    try {
      const preview = await api.previewOrderChange(story.order.id, story.order.version, change);
      const refund = change.kind === "refund";
      const reason = await confirmAction({
        title: `Order ${story.order.id}: ${changeLabel(change)}`,
        body: previewBody(preview),
        confirm: change.kind === "transition" ? "Apply" : refund ? "Refund" : "Cancel the order",
        // Cancelling and refunding cannot go without a reason (the core refuses).
        reason: change.kind === "transition" ? "optional" : "required",
        danger: change.kind !== "transition",
      });
      if (reason === null) return;
      await api.commitOrderChange(preview, reason === "" ? null : reason);
      showNotice(`Order ${story.order.id}: done — ${preview.summary}`);
      await open(story.order.id);
      await list.reload();
    } catch (e) {
      showError(e as ApiError);
      if ((e as ApiError).code === "conflict") await open(story.order.id, true, story);
    }
  }

  async function note(story: OrderStory, body: string): Promise<void> {
    try {
      await api.addOrderNote(story.order.id, body);
      await open(story.order.id);
      showNotice(`Order ${story.order.id}: note added.`);
    } catch (e) {
      showError(e as ApiError);
    }
  }

  const hint = byId("order-total-hint");
  const refresh = () => {
    const currency = value("order-currency").trim();
    // Without a currency, 100 means €100 on one order and ¥100 on another.
    hint.hidden = currency !== "" || (value("order-min").trim() === "" && value("order-max").trim() === "");
    clearTimeout(timer);
    // One or two letters are a code being typed, not yet a mistake.
    if (/^[A-Za-z]{1,2}$/.test(currency)) return;
    timer = setTimeout(() => void list.reload(), DEBOUNCE_MS);
  };
  exportButton(
    byId<HTMLButtonElement>("orders-export"),
    () => ({ list: "orders", query: query() }),
    showError,
  );
  bulkOrders(query, () => list.reload(), showError);
  for (const id of ["order-customer", "order-min", "order-max", "order-currency"]) byId(id).addEventListener("input", refresh);
  for (const id of ["order-status", "order-findings", "order-from", "order-to"]) byId(id).addEventListener("change", refresh);
  byId("order-filters").addEventListener("submit", (e) => e.preventDefault());
  /** Says next to the findings filter when validation never ran, so an empty list is not read as "no problems". */
  async function markNeverRan(): Promise<void> {
    const last = await api.lastValidationRun().catch(() => undefined);
    byId("order-findings-never").hidden = last !== null;
  }

  return {
    show: () => {
      void list.reload();
      void markNeverRan();
    },
    open,
  };
}
