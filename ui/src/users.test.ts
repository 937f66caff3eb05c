import { describe, expect, it } from "vitest";
import { grant } from "./access";
import { actionForm, cardView, latestOnly, mailButtons, offeredAction, query, searchHint, USER_FIELDS, userRow } from "./users";
import { conflictBox, differences } from "./conflict";
import { relative } from "./dom";
import type { TroubleCard, User } from "./api";

const user: User = {
  id: 7,
  email: "a•••@example.com",
  email_masked: true,
  display_name: "<img src=x onerror=alert(1)>",
  status: "locked",
  locked_until: null,
  lock_reason: "<b>fraud</b>",
  email_verified_at: null,
  failed_login_count: 3,
  last_login_at: null,
  created_at: "2026-01-02T03:04:05Z",
  updated_at: "2026-01-02T03:04:05Z",
  version: 4,
  roles: [],
  has_password: true,
};

describe("users", () => {
  it("shows names and reasons as text, never as HTML", () => {
    const row = userRow(user, () => {});
    expect(row.querySelector("img")).toBeNull();
    expect(row.textContent).toContain("<img src=x onerror=alert(1)>");
    const card: TroubleCard = {
      diagnosis: ["The account is locked: <b>fraud</b>"],
      user,
      logins: [],
      tokens: [],
      orders: [],
      last_orders: [],
      audit: [],
      notifications: [
        {
          id: 3,
          template: "order_shipped",
          recipient: "<b>a•••@example.com</b>",
          status: "uncertain",
          created_at: "2026-11-01T10:00:00Z",
          created_by: "sam",
          sent_at: null,
          channel: "email",
        },
      ],
    };
    const nodes = cardView(card);
    const holder = document.createElement("div");
    holder.append(...nodes);
    expect(holder.querySelector("img, b")).toBeNull();
    expect(holder.querySelector("#card-title")?.textContent).toBe("<img src=x onerror=alert(1)>");
    expect(holder.textContent).toContain("No sign-ins on record.");
    const sent = holder.querySelector("#card-sent li");
    expect(sent?.textContent).toContain("order_shipped");
    expect(sent?.textContent).toContain("<b>a•••@example.com</b>");
    expect(sent?.textContent).toContain("uncertain");
  });

  it("offers only what the role and the account allow", () => {
    const verified = { ...user, email_verified_at: "2026-01-01T00:00:00Z" };
    const sends = (u: typeof user, allowed: boolean) =>
      Array.from(mailButtons(u.email_verified_at === null, allowed).querySelectorAll("button")).map((b) => b.dataset["send"]);
    expect(sends({ ...user, email_verified_at: null }, true)).toEqual(["verify_email", "password_reset"]);
    expect(sends(verified, true)).toEqual(["password_reset"]);
    expect(sends(verified, false)).toEqual([]);
    const card: TroubleCard = { diagnosis: [], user: verified, logins: [], tokens: [], orders: [], last_orders: [], audit: [], notifications: [] };
    const holder = document.createElement("div");
    grant([]);
    holder.append(...cardView(card));
    expect(holder.querySelector("#action-submit")).toBeNull();
    expect(holder.textContent).toContain("Your role may not lock or unlock accounts.");
    grant(["lock_users"]);
    holder.replaceChildren(...cardView(card));
    expect(holder.querySelector("#action-submit")).not.toBeNull();
  });

  it("opens the card from the row, by click or Enter", () => {
    const opened: number[] = [];
    const row = userRow(user, (id) => opened.push(id));
    row.click();
    row.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(opened).toEqual([7, 7]);
  });

  it("asks with every filter spelled out", () => {
    expect(query("ann")).toMatchObject({ text: "ann", status: null, sort: "created" });
  });
});

describe("relative times", () => {
  it("says how long ago", () => {
    const now = new Date("2026-06-01T12:00:00Z");
    expect(relative("2026-06-01T11:56:00Z", now)).toBe("4 minutes ago");
    expect(relative("2026-06-01T14:00:00Z", now)).toBe("in 2 hours");
    expect(relative("2026-05-31T12:00:00Z", now)).toBe("yesterday");
  });
});

describe("account actions", () => {
  it("offers unlock for a locked account and lock with the reason otherwise", () => {
    expect(offeredAction(user, "x").action).toEqual({ kind: "unlock" });
    const active = { ...user, status: "active" };
    expect(offeredAction(active, "chargeback").action).toEqual({ kind: "lock", reason: "chargeback", until: null });
    expect(actionForm(active).querySelector("#action-submit")?.textContent).toBe("Lock account");
  });
});

describe("search as you type", () => {
  it("answers the first key at once and coalesces keys typed meanwhile", async () => {
    const started: number[] = [];
    const finish: (() => void)[] = [];
    let n = 0;
    const run = latestOnly(
      () =>
        new Promise<void>((resolve) => {
          started.push(++n);
          finish.push(resolve);
        }),
    );
    run(); // starts at once
    run(); // waits
    run(); // replaces the waiting one
    expect(started).toEqual([1]);
    finish[0]?.();
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([1, 2]);
    finish[1]?.();
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([1, 2]);
  });
});

describe("short searches", () => {
  it("says what the core will not search beside the box, and leaves other failures as errors", () => {
    const short = { code: "validation" as const, message: "type at least 3 characters to search emails and names (or a user id)" };
    expect(searchHint(short)).toBe("Type at least 3 characters to search emails and names (or a user id).");
    expect(searchHint({ code: "unavailable", message: "the database is not reachable" })).toBeNull();
  });
});

describe("user filters", () => {
  it("turns the selects into a query", () => {
    expect(query("ann", { status: "locked", verified: "no", sort: "oldest" })).toMatchObject({
      text: "ann",
      status: "locked",
      verified: false,
      sort: "created",
      oldest_first: true,
    });
    expect(query("", { status: "", verified: "yes", sort: "last_sign_in" })).toMatchObject({ status: null, verified: true, sort: "last_sign_in" });
  });

  it("after a conflict, shows each changed field as it was seen and as it is now, as text", () => {
    const now = { ...user, status: "active", lock_reason: null, failed_login_count: 0, version: 5 };
    const diffs = differences(user, now, USER_FIELDS);
    expect(diffs.map((d) => d.label)).toEqual(["Status", "Lock reason", "Failed sign-ins"]);
    expect(diffs[0]).toEqual({ label: "Status", then: "locked", now: "active" });
    const box = conflictBox(diffs);
    expect(box.textContent).toContain("Nothing was written.");
    expect(box.querySelector("tr[data-field='Lock reason'] td.old")?.textContent).toBe("<b>fraud</b>");
    expect(box.querySelector("b")).toBeNull();
    expect(conflictBox([]).textContent).toContain("are the same");
  });
});
