import { describe, expect, it } from "vitest";
import { mappedOrderQuery, mappedStoryView } from "./mapped_orders";
import type { MappedChange, MappedStory } from "./api";

const story: MappedStory = {
  order: {
    key: "2",
    number: "100002",
    status: "Being processed",
    also: [],
    currency: "GBP",
    total: 9999,
    placed: "2026-01-02T03:04:05Z",
    customer: "3",
    email: "carol@example.com",
    email_masked: false,
    problem: null,
  },
  version: "v1",
  items: [{ key: "1", product: "7", title: "<b>tea</b>", quantity: 1, unit_price: 450, line_total: 450 }],
  fees: [{ key: "9", title: "<i>gift wrap</i>", amount: 250 }],
  shipping: 395,
  mismatches: ["the total is 99.99 GBP but the lines and shipping come to 8.45 GBP"],
  moves: ["Shipped", "Cancelled"],
  cancel: "Cancelled",
  refunds: [],
  refunded: 0,
  refundable: 9999,
  timeline: [],
  notifications: [],
  not_kept: [],
};

describe("mapped orders", () => {
  it("asks for what was typed, and nothing for what was not", () => {
    expect(mappedOrderQuery(" 100002 ", "", "")).toEqual({ statuses: [], placed_from: null, placed_until: null, customer: null, number: "100002" });
    expect(mappedOrderQuery("", "a@b.c", "Pending").statuses).toEqual(["Pending"]);
  });

  it("offers the lifecycle's moves, and its cancel as a cancel", () => {
    const asked: MappedChange[] = [];
    const root = document.createElement("div");
    root.append(...mappedStoryView(story, (c) => asked.push(c)));
    expect(root.querySelector("b")).toBeNull();
    expect(root.querySelector("i")).toBeNull();
    expect(root.querySelector("#morder-items tr.fee")?.textContent).toBe("Fee: <i>gift wrap</i>£2.50");
    expect(root.querySelector("#morder-mismatches")?.textContent).toContain("99.99 GBP");
    expect(root.querySelectorAll("button[data-move]").length).toBe(1);
    root.querySelector<HTMLButtonElement>("button[data-move=Shipped]")?.click();
    root.querySelector<HTMLButtonElement>("#morder-cancel")?.click();
    expect(asked).toEqual([{ kind: "transition", to: "Shipped" }, { kind: "cancel" }]);
  });
});
