import { describe, expect, it } from "vitest";
import { choices, conceptRow, problemsOf, statusRow, type StatusChoice } from "./mapping_editor";
import type { DraftConcept, Problem, TableColumns } from "./api";

const tables: TableColumns[] = [
  { table: "auth_user", columns: ["id", "email", "first_name"] },
  { table: "order_order", columns: ["id", "number"] },
];
const table: DraftConcept = { concept: "user.table", table: "auth user", column: null, editable: true };
const email: DraftConcept = { concept: "user.email", table: "auth_user", column: "mail", editable: true };
const problems: Problem[] = [
  { concept: "user.table", message: "'auth user' is not a table or column name" },
  { concept: "user.email", message: "table auth_user has no column mail" },
];

describe("mapping editor", () => {
  it("offers the database's own names, keeping a missing one marked", () => {
    expect(choices(table, tables)).toEqual(["auth user", "auth_user", "order_order"]);
    expect(choices(email, tables)).toEqual(["mail", "id", "email", "first_name"]);
    const row = conceptRow(email, tables, problems, () => {});
    expect(row.querySelector("option[value=mail]")?.textContent).toBe("mail (not in the database)");
    expect(row.classList.contains("problem")).toBe(true);
    expect(row.textContent).toContain("has no column mail");
  });

  it("puts each problem on its field", () => {
    expect(problemsOf(table, problems).map((p) => p.concept)).toEqual(["user.table"]);
    expect(problemsOf(email, problems).map((p) => p.concept)).toEqual(["user.email"]);
    const fixed = conceptRow({ ...email, column: "email" }, tables, [], () => {});
    expect(fixed.classList.contains("problem")).toBe(false);
  });

  it("sends the choice made", () => {
    const chosen: string[] = [];
    const row = conceptRow(email, tables, [], (n) => chosen.push(n));
    const select = row.querySelector("select") as HTMLSelectElement;
    select.value = "email";
    select.dispatchEvent(new Event("change"));
    expect(chosen).toEqual(["email"]);
  });

  it("declares a word found in the data once a meaning is ticked", () => {
    const sent: StatusChoice[] = [];
    const row = statusRow({ word: "On hold", declared: false, roles: [], moves: [] }, ["Pending", "Cancelled"], (c) => sent.push(c));
    expect(row.classList.contains("problem")).toBe(true);
    expect(row.querySelectorAll("input[data-kind=move]").length).toBe(2);
    const closed = row.querySelector<HTMLInputElement>("input[data-kind=role][value=closed]") as HTMLInputElement;
    closed.checked = true;
    closed.dispatchEvent(new Event("change", { bubbles: true }));
    expect(sent).toEqual([{ word: "On hold", declared: true, roles: ["closed"], moves: [] }]);
    // Unticking "declared" takes the word out, whatever else is ticked.
    const declared = row.querySelector<HTMLInputElement>("input[data-kind=declared]") as HTMLInputElement;
    declared.checked = false;
    declared.dispatchEvent(new Event("change", { bubbles: true }));
    expect(sent[1]).toEqual({ word: "On hold", declared: false, roles: [], moves: [] });
  });
});
