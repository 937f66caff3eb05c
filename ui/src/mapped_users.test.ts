import { describe, expect, it } from "vitest";
import { grant } from "./access";
import { mappedCard, mappedRow, stateOf } from "./mapped_users";
import type { MappedCard, MappedUser } from "./api";

const bob: MappedUser = {
  key: "2",
  email: "Bob@example.com",
  email_masked: false,
  name: "<img src=x onerror=alert(1)>",
  state: "active",
  locked: true,
  verified: false,
  pending_email: null,
  last_sign_in: null,
  failed_attempts: 3,
  created: "2026-01-02T03:04:05Z",
};

const card: MappedCard = {
  user: bob,
  version: "f1",
  roles: null,
  sign_ins: null,
  actions: [
    { action: "unlock", available: true },
    { action: "enable", available: false, reason: "the account is enabled already" },
    { action: "change_email", available: true },
  ],
  not_known: ["roles: the mapping has none"],
  notifications: [
    { id: 4, template: "password_reset", recipient: "<b>b•••@example.com</b>", status: "sent", created_at: "2026-01-03T00:00:00Z", created_by: "support", sent_at: "2026-01-03T00:00:01Z", channel: "backend" },
  ],
};

describe("mapped users", () => {
  it("shows a lockout over the back end's state", () => {
    expect(stateOf(bob)).toBe("locked");
    expect(stateOf({ ...bob, locked: null, state: null })).toBe("—");
  });

  it("renders names as text and each action as the back end allows it", () => {
    const row = mappedRow(bob, () => {});
    expect(row.querySelector("img")).toBeNull();
    expect(row.dataset["user"]).toBe("2");
    const root = document.createElement("div");
    grant(["send_account_emails"]);
    root.append(...mappedCard(card, () => {}));
    expect(root.querySelector("img")).toBeNull();
    const unlock = root.querySelector<HTMLButtonElement>("button[data-action=unlock]");
    const enable = root.querySelector<HTMLButtonElement>("button[data-action=enable]");
    expect(unlock?.disabled).toBe(false);
    expect(enable?.disabled).toBe(true);
    expect(enable?.title).toBe("the account is enabled already");
    // An action that needs a value is not a card button.
    expect(root.querySelector("button[data-action=change_email]")).toBeNull();
    expect(root.textContent).toContain("roles: the mapping has none");
    // What was sent, as text; an unverified address is offered both emails.
    expect(root.querySelector("b")).toBeNull();
    expect(root.querySelector("#card-sent li")?.textContent).toContain("password_reset (the back end's own email) to <b>b•••@example.com</b>: sent");
    const sends = Array.from(root.querySelectorAll<HTMLButtonElement>("#mcard-mail button")).map((b) => b.dataset["send"]);
    expect(sends).toEqual(["verify_email", "password_reset"]);
  });
});
