import { describe, expect, it } from "vitest";
import { operatorLabel } from "./main";
import { countRows } from "./dashboard";
import { draftFrom, profileCard } from "./profiles";
import { toApiError } from "./api";
import { formatCount } from "./dom";

describe("profile cards", () => {
  it("renders user data as text, never as HTML", () => {
    const card = profileCard(
      { name: "<img src=x onerror=alert(1)>", backend: "postgres", location: "<b>h</b>", read_only: true, demo: false, host: "h", port: null, database: "d", user: null },
      () => {},
    );
    expect(card.querySelector("img")).toBeNull();
    expect(card.querySelector("b")).toBeNull();
    expect(card.textContent).toContain("<img src=x onerror=alert(1)>");
    expect(card.querySelector(".badge.read-only")?.textContent).toBe("read-only");
  });

  it("calls back with the profile name", () => {
    let clicked = "";
    const card = profileCard(
      { name: "prod", backend: "mysql", location: "u@h:3306/d", read_only: false, demo: true, host: "h", port: 3306, database: "d", user: "u" },
      (name) => (clicked = name),
    );
    card.querySelector("button")?.click();
    expect(clicked).toBe("prod");
    expect(card.querySelector(".badge.demo")).not.toBeNull();
  });

  it("offers the profile for editing, with its connection and no password", () => {
    let edited: { name: string; database: string } | null = null;
    const p = { name: "shop", backend: "postgres" as const, location: "u@db:5432/shop", read_only: false, demo: false, host: "db", port: 5432, database: "shop", user: "u" };
    const card = profileCard(p, () => {}, () => {}, (v) => (edited = v));
    card.querySelector<HTMLButtonElement>("button[data-edit=shop]")?.click();
    expect(edited).toEqual(p);
    expect(JSON.stringify(edited)).not.toContain("password");
  });
});

describe("counts", () => {
  it("groups thousands", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
    const rows = countRows([{ table: "users", rows: 50000 }]);
    expect(rows[0]?.dataset["table"]).toBe("users");
    expect(rows[0]?.textContent).toBe("users50,000");
  });
});

describe("errors", () => {
  it("keeps {code, message} and wraps anything else", () => {
    expect(toApiError({ code: "forbidden", message: "no" })).toEqual({ code: "forbidden", message: "no" });
    expect(toApiError("boom")).toEqual({ code: "internal", message: "boom" });
  });
});

describe("operator label", () => {
  it("names the operator and the role", () => {
    expect(operatorLabel({ username: "alice", role: "admin", permissions: [] })).toBe("alice (admin)");
  });
});

describe("profile form", () => {
  const base = { name: "shop", backend: "postgres", host: "db", port: "", database: "shop", user: "ops", password: "pw", readOnly: true };
  it("makes a server draft with its password and no port by default", () => {
    expect(draftFrom(base)).toEqual({ name: "shop", backend: "postgres", host: "db", port: null, database: "shop", user: "ops", read_only: true, password: "pw" });
  });
  it("refuses a port that is not a number", () => {
    expect(draftFrom({ ...base, port: "54x" })).toBe("the port must be a number");
  });
  it("drops server fields for a SQLite file", () => {
    const d = draftFrom({ ...base, backend: "sqlite", database: "/tmp/a.db", port: "5432" });
    expect(d).toMatchObject({ host: null, port: null, user: null, password: null, database: "/tmp/a.db" });
  });
});
