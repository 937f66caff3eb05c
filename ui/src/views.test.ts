import { describe, expect, it } from "vitest";
import { grant } from "./access";
import type { OrderStory, Preview } from "./api";
import { auditFilter, auditRow, jsonText } from "./audit";
import { bars } from "./dashboard";
import { money } from "./dom";
import { summarise } from "./list";
import { paletteItems } from "./nav";
import { outcomeText, renderedBody } from "./notify";
import { mailStatusText, outboxFilter } from "./outbox";
import { orderQuery, previewBody, storyView } from "./orders";
import { lastRunText, recordName, ruleLines, ruleRow, runSummary, sortRuleLines } from "./validation";

const PAYLOAD = "<img src=x onerror=alert(1)>";

function story(overrides: Partial<OrderStory> = {}): OrderStory {
  return {
    order: {
      id: 12, user_id: 3, status: "paid", currency: "EUR", subtotal_cents: 2000, shipping_cents: 500,
      discount_cents: 0, tax_cents: 0, total_cents: 2600, placed_at: "2026-11-01T10:00:00Z", paid_at: null,
      packed_at: null, shipped_at: null, delivered_at: null, cancelled_at: null, refunded_at: null,
      updated_at: "2026-11-01T10:00:00Z", version: 4, customer_email: "",
    },
    customer: { id: 3, email: "a@b.test", email_masked: false, display_name: PAYLOAD, status: "active", verified: true, locked: false },
    items: [{ product_id: 1, sku: "MUG-1", name: PAYLOAD, quantity: 2, unit_price_cents: 1000, line_total_cents: 2000 }],
    totals: { items_subtotal_cents: 2000, expected_total_cents: 2500, mismatches: ["the total is 26.00 but the parts add up to 25.00"] },
    paid_cents: 2600, refunded_cents: 0, refundable_cents: 2600, refunds: [], notes: [], notifications: [],
    timeline: [{ at: "2026-11-01T10:00:00Z", kind: "note", operator: "sam", text: PAYLOAD }],
    next_status: "packed", can_cancel: true,
    ...overrides,
  } as OrderStory;
}

describe("orders", () => {
  it("builds a query from the filters", () => {
    const none = { customer: "", status: "", withFindings: false, from: "", to: "", min: "", max: "", currency: "" };
    expect(orderQuery({ ...none, customer: " 42 ", status: "paid", withFindings: true })).toMatchObject({ customer: "42", statuses: ["paid"], has_open_findings: true });
    expect(orderQuery(none)).toMatchObject({ customer: null, statuses: [], placed_from: null, total_min: null, total_max: null });
    const ranged = orderQuery({ ...none, from: "2026-11-01", to: "2026-11-30", min: "25", max: "1,000.5" });
    expect(ranged).toMatchObject({ total_min: 2500, total_max: 100050 });
    expect(new Date(ranged.placed_from ?? "").getTime()).toBe(new Date(2026, 10, 1).getTime());
    expect(new Date(ranged.placed_until ?? "").getTime()).toBe(new Date(2026, 11, 1).getTime());
    expect(() => orderQuery({ ...none, min: "25,50" })).toThrow();
    // Amounts are read in the currency's own exponent.
    expect(orderQuery({ ...none, currency: " gbp ", min: "25.5" })).toMatchObject({ currency: "GBP", total_min: 2550 });
    expect(orderQuery({ ...none, currency: "JPY", min: "1,500" })).toMatchObject({ currency: "JPY", total_min: 1500 });
    expect(() => orderQuery({ ...none, currency: "JPY", min: "1500.5" })).toThrow();
    expect(() => orderQuery({ ...none, currency: "EU" })).toThrow();
    try {
      orderQuery({ ...none, max: "ten" });
    } catch (e) {
      expect(e).toMatchObject({ code: "validation", message: expect.stringContaining("Total up to") });
    }
  });

  it("shows the story as text, highlights a mismatch and offers what the lifecycle allows", () => {
    const changes: unknown[] = [];
    const root = document.createElement("div");
    grant(["change_orders", "refund"]);
    root.append(...storyView(story(), (c) => changes.push(c), () => {}));
    expect(root.querySelector("img")).toBeNull();
    expect(root.textContent).toContain(PAYLOAD);
    expect(root.querySelector("#order-total")?.classList.contains("mismatch")).toBe(true);
    expect(root.querySelector("#order-mismatches")?.textContent).toContain("add up to");
    expect(root.querySelector("#order-next")?.textContent).toBe("Mark packed");
    (root.querySelector("#order-cancel") as HTMLButtonElement).click();
    (root.querySelector("#order-refund") as HTMLButtonElement).click();
    expect(changes).toEqual([{ kind: "cancel" }, { kind: "refund", amount_cents: null }]);
    // Support may not refund: the button is not there to be refused.
    grant(["change_orders"]);
    root.replaceChildren(...storyView(story(), () => {}, () => {}));
    expect(root.querySelector("#order-refund")).toBeNull();
    expect(root.querySelector("#order-cancel")).not.toBeNull();
  });

  it("offers no cancel for a shipped order and no next step for a closed one", () => {
    const root = document.createElement("div");
    root.append(...storyView(story({ next_status: null, can_cancel: false, refundable_cents: 0 }), () => {}, () => {}));
    expect(root.querySelector("#order-cancel")).toBeNull();
    expect(root.querySelector("#order-next")).toBeNull();
    expect(root.querySelector("#order-refund")).toBeNull();
  });

  it("previews stock and warnings as text", () => {
    const p = {
      order_id: 12, version: 4, change: { kind: "cancel" }, status_before: "paid", status_after: "cancelled", sets: "cancelled_at",
      currency: "EUR", total_cents: 2600, paid_cents: 2600, refunded_cents: 0, refund_cents: 0, refundable_after_cents: 2600,
      stock: [{ product_id: 1, sku: "MUG-1", name: PAYLOAD, quantity: 2, before: 5, after: 7 }],
      warnings: ["the order was paid: cancelling does not refund it"], summary: "cancel order 12 (paid → cancelled)",
    } as Preview;
    const root = document.createElement("div");
    root.append(...previewBody(p));
    expect(root.querySelector("img")).toBeNull();
    expect(root.querySelector("#preview-stock")?.textContent).toContain("5 → 7");
    expect(root.textContent).toContain("does not refund");
  });
});

describe("money", () => {
  it("uses the currency's own exponent", () => {
    expect(money(12345, "EUR")).toBe("€123.45");
    expect(money(500, "JPY")).toBe("¥500");
  });
});

describe("validation", () => {
  it("joins the catalogue with the counts, zero where a rule never fired", () => {
    const rules = [
      { id: "a", title: "A", severity: "error", entity: "user", explanation: "", guards_edits: true, fix: null, unavailable: null },
      { id: "b", title: "B", severity: "warning", entity: "order", explanation: "", guards_edits: false, fix: null, unavailable: "the mapping has no [order] section" },
    ] as const;
    const lines = ruleLines([...rules], [{ rule_id: "b", title: "B", severity: "warning", open: 3, accepted: 1, fixed: 0, resolved: 0 }]);
    expect(lines.map((l) => l.count?.open ?? 0)).toEqual([0, 3]);
    // The catalogue's order until a header is chosen; then by it, either way.
    expect(sortRuleLines(lines, { key: "catalogue", ascending: true }).map((l) => l.rule.id)).toEqual(["a", "b"]);
    expect(sortRuleLines(lines, { key: "open", ascending: false }).map((l) => l.rule.id)).toEqual(["b", "a"]);
    expect(sortRuleLines(lines, { key: "severity", ascending: false }).map((l) => l.rule.id)).toEqual(["a", "b"]);
    expect(sortRuleLines(lines, { key: "rule", ascending: false }).map((l) => l.rule.id)).toEqual(["b", "a"]);
    // A rule the back end's mapping cannot express says why, as text.
    const [a, b] = lines.map((l) => ruleRow(l, () => {}));
    expect(a?.querySelector(".unavailable")).toBeNull();
    expect(b?.querySelector(".unavailable")?.textContent).toBe("Cannot run here: the mapping has no [order] section");
  });

  it("names a record as the back end does, keeping its key", () => {
    const f = { id: 1, rule_id: "orders.total_mismatch", entity_type: "order", entity_id: 2, detail: "100002", status: "open", first_run: 1, last_run: 1, first_seen_at: "2026-01-01T00:00:00Z", last_seen_at: "2026-01-01T00:00:00Z", resolved_at: null, accepted_by: null, accepted_reason: null, version: 1 };
    expect(recordName(f)).toBe("order 100002 (key 2)");
    expect(recordName({ ...f, detail: null })).toBe("order 2");
    expect(recordName({ ...f, entity_id: 1002, detail: "1002" })).toBe("order 1002");
  });

  it("sums a run up", () => {
    expect(runSummary({ run_id: 2, rules: [], rows_examined: 1000, findings: 1234, new: 12, resolved: 3, seconds: 4.21 })).toBe(
      "Run 2: 1,234 findings (12 new, 3 resolved) in 4.2 s, 1,000 rows examined.",
    );
  });
});

describe("dashboard", () => {
  it("draws bars relative to the largest and flags what needs attention", () => {
    const [a, b] = bars([{ status: "queued", count: 10 }, { status: "failed", count: 5 }], ["failed"]);
    expect((a?.querySelector(".fill") as HTMLElement).style.width).toBe("100%");
    expect((b?.querySelector(".fill") as HTMLElement).style.width).toBe("50%");
    expect(b?.classList.contains("attention")).toBe(true);
    expect(bars(null)[0]?.textContent).toContain("Not available");
  });
});

describe("palette", () => {
  const noop = () => {};
  it("offers an order and a user for a number, a user for an address, and matching views", () => {
    expect(paletteItems("#12", noop, noop, noop).map((i) => i.label).slice(0, 2)).toEqual(["Open order 12", "Open user 12"]);
    expect(paletteItems("a@b.test", noop, noop, noop)[0]?.label).toBe("Open user a@b.test");
    expect(paletteItems("val", noop, noop, noop).map((i) => i.label)).toEqual(["Go to Validation"]);
  });
  it("runs what is picked", () => {
    let opened = 0;
    paletteItems("7", noop, (id) => (opened = id), noop)[0]?.run();
    expect(opened).toBe(7);
  });
});

describe("audit", () => {
  it("shows before and after as text in a detail row that opens on a click", () => {
    const [row, detail] = auditRow({
      id: 1, at: "2026-11-01T10:00:00Z", operator: "sam", action: "user.rename", entity_type: "user", entity_id: "7",
      before: { display_name: "x" }, after: { display_name: PAYLOAD }, reason: null, hash: "h",
    });
    expect(detail?.hidden).toBe(true);
    row?.click();
    expect(detail?.hidden).toBe(false);
    expect(detail?.querySelector("img")).toBeNull();
    expect(detail?.textContent).toContain(PAYLOAD);
    expect(jsonText(null)).toBe("—");
  });
});

describe("notifications and lists", () => {
  it("words the outcome of a send", () => {
    expect(outcomeText({ outcome: "already_sent", notice: "already sent 4 minutes ago by operator sam (message 1, sent)" } as never)).toContain("by operator sam");
  });
  it("summarises a page", () => {
    expect(summarise({ items: [], next: null, total: null }, "None.")).toBe("None.");
    expect(summarise({ items: [1], next: null, total: { count: 10000, capped: true } }, "")).toBe("10,000+ matching");
  });
});

describe("order changes and dashboard order", () => {
  it("names a change in a few words", async () => {
    const { changeLabel } = await import("./orders");
    expect(changeLabel({ kind: "transition", to: "packed" })).toBe("mark packed");
    expect(changeLabel({ kind: "refund", amount_cents: null })).toBe("refund");
  });
  it("lists statuses in lifecycle order", () => {
    const labels = bars([{ status: "shipped", count: 1 }, { status: "pending", count: 2 }, { status: "zzz", count: 1 }]).map((b) => b.dataset["status"]);
    expect(labels).toEqual(["pending", "shipped", "zzz"]);
  });
});

describe("bulk order changes", () => {
  it("words the preview and the outcome", async () => {
    const { bulkChange, outcomeSummary, previewSummary } = await import("./bulk");
    expect(bulkChange("cancel")).toEqual({ kind: "cancel" });
    expect(bulkChange("packed")).toEqual({ kind: "transition", to: "packed" });
    const root = document.createElement("div");
    const refused = Array.from({ length: 12 }, (_, i) => ({ order_id: i + 1, code: "validation" as const, message: PAYLOAD }));
    root.append(...previewSummary({ change: { kind: "cancel" }, ready: [], refused }));
    expect(root.querySelector("#bulk-summary")?.textContent).toBe("0 orders ready; 12 cannot change.");
    expect(root.querySelectorAll("li")).toHaveLength(11);
    expect(root.querySelector("img")).toBeNull();
    expect(outcomeSummary([{ order_id: 1, status: "paid", error: null }, { order_id: 2, status: null, error: { order_id: 2, code: "conflict", message: "x" } }])).toBe(
      "Bulk change: 1 changed, 1 failed or not attempted.",
    );
  });
});

describe("fixes", () => {
  it("lists every change as text and words the report", async () => {
    const { fixBody, reportText } = await import("./fixes");
    const root = document.createElement("div");
    root.append(
      ...fixBody(
        {
          fix_id: "users.normalize_email",
          changes: [{ entity_type: "user", entity_id: 7, version: 2, rows: [{ table: "users", id: 7, fields: [{ column: "email_normalized", before: PAYLOAD, after: "a@b.test" }] }], note: null, currency: null }],
          skipped: [{ entity_id: 9, reason: "another account has that address" }],
          more: false,
        },
        ["Normalised address is not the address in lower case"],
        null,
      ),
    );
    expect(root.querySelector("#fix-summary")?.textContent).toBe("Changes to 1 record (1 field); 1 record left alone.");
    expect(root.querySelector("#fix-scope")?.textContent).toContain("Every open finding of the rule: Normalised address");
    const row = root.querySelector("#fix-changes tbody tr")?.textContent ?? "";
    expect(row).toContain("Normalised address");
    expect(row).toContain(PAYLOAD);
    expect(row).toContain("a@b.test");
    expect(root.querySelector("img")).toBeNull();
    expect(root.textContent).toContain("another account");
    expect(reportText({ fix_id: "f", applied: [], skipped: [], cancelled: true, stopped_by: null })).toBe("Fix f: 0 records fixed, 0 left alone. Stopped before the end.");
  });

  it("says what it covers, shows money as money and pages a long preview", async () => {
    const { fixBody, PAGE_LINES } = await import("./fixes");
    const order = (id: number) => ({
      entity_type: "order",
      entity_id: id,
      version: 1,
      rows: [{ table: "orders", id, fields: [{ column: "total_cents", before: 26282, after: 25449 }] }],
      note: null,
      currency: "EUR",
    });
    const changes = Array.from({ length: PAGE_LINES + 5 }, (_, i) => order(i + 1));
    const root = document.createElement("div");
    const rules = ["Total is not the sum of its parts", "Line total mismatch", "Subtotal mismatch"];
    root.append(...fixBody({ fix_id: "orders.recompute_totals", changes, skipped: [], more: false }, rules, null));
    expect(root.querySelector("#fix-scope")?.textContent).toContain("these 3 rules");
    const rows = () => root.querySelectorAll("#fix-changes tbody tr");
    expect(rows().length).toBe(PAGE_LINES);
    expect(rows()[0]?.textContent).toContain("Total");
    expect(rows()[0]?.textContent).toContain("€262.82");
    expect(rows()[0]?.textContent).not.toContain("26282");
    const more = root.querySelector<HTMLButtonElement>("#fix-more");
    expect(more?.hidden).toBe(false);
    more?.click();
    expect(rows().length).toBe(PAGE_LINES + 5);
    expect(more?.hidden).toBe(true);
    root.replaceChildren(...fixBody({ fix_id: "orders.recompute_totals", changes: [order(8)], skipped: [], more: false }, rules, 8));
    expect(root.querySelector("#fix-scope")?.textContent).toBe("Only order 8.");
  });
});

describe("mail status", () => {
  it("says whether this window delivers, and why not", () => {
    expect(mailStatusText({ state: "delivering" })).toBe("Mail: this window delivers the outbox.");
    expect(mailStatusText({ state: "off", reason: "the profile is read-only" })).toBe(
      "Mail: not delivered from this window (the profile is read-only).",
    );
    const now = new Date("2026-11-24T12:00:00Z");
    expect(mailStatusText({ state: "failing", error: "no SMTP password", retry_at: "2026-11-24T12:00:30Z" }, now)).toBe(
      "Mail: stopped on an error: no SMTP password. Trying again in 30 seconds.",
    );
    const down = { state: "unreachable" as const, since: "2026-11-24T11:55:00Z", next_try: "2026-11-24T12:01:00Z", error: "connecting to smtp:25: Connection refused" };
    expect(mailStatusText(down, now)).toBe(
      "Mail: the mail server is unreachable since 5 minutes ago (connecting to smtp:25: Connection refused). Next try in 1 minute; queued messages keep their attempts.",
    );
  });
});

describe("mail preview", () => {
  it("says why links show a placeholder", () => {
    const holder = document.createElement("div");
    holder.append(...renderedBody({ subject: "Reset", text: "Go to https://LINK-BASE/reset-password?token=T", html: "" }));
    expect(holder.querySelector("#mail-no-settings")?.textContent).toContain("no mail settings");
    holder.replaceChildren(...renderedBody({ subject: "Reset", text: "Go to https://shop.example/reset", html: "" }));
    expect(holder.querySelector("#mail-no-settings")).toBeNull();
  });
});

describe("validation never run", () => {
  it("says so, and who can change it", () => {
    expect(lastRunText(null, true)).toContain("never run");
    expect(lastRunText(null, true)).toContain("Run all rules");
    expect(lastRunText(null, false)).toContain("An admin can run it");
    const now = new Date("2026-11-24T12:00:00Z");
    expect(lastRunText({ id: 3, finished_at: "2026-11-24T11:00:00Z", operator: "alice" }, false, now)).toContain("by alice");
  });
});

describe("list order", () => {
  it("asks the core for the oldest first when the time column is flipped", () => {
    expect(auditFilter("", "", "", "").oldest_first).toBe(false);
    expect(auditFilter(" sam ", "", "", "", "", "", true)).toMatchObject({ operator: "sam", oldest_first: true });
    expect(outboxFilter("").oldest_first).toBe(false);
    expect(outboxFilter("sent", true)).toMatchObject({ status: "sent", oldest_first: true });
  });
});
