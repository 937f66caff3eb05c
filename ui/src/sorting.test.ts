import { describe, expect, it } from "vitest";
import { sortableHeaders, type SortState } from "./sorting";

describe("sortable headers", () => {
  it("sort by a column, reverse on a second click, leave the others plain", () => {
    const table = document.createElement("table");
    table.innerHTML = "<thead><tr><th>Id</th><th>Email</th><th>Last sign-in</th></tr></thead>";
    const seen: SortState[] = [];
    sortableHeaders(table, { 0: "created", 2: "last_sign_in" }, { key: "created", ascending: false }, (s) => seen.push(s));
    const th = table.querySelectorAll("th");
    expect(th[0]?.getAttribute("aria-sort")).toBe("descending");
    expect(th[1]?.classList.contains("sortable")).toBe(false);
    (th[2] as HTMLElement).click();
    (th[2] as HTMLElement).click();
    expect(seen).toEqual([
      { key: "last_sign_in", ascending: false },
      { key: "last_sign_in", ascending: true },
    ]);
    expect(th[2]?.getAttribute("aria-sort")).toBe("ascending");
    expect(th[0]?.getAttribute("aria-sort")).toBe("none");
  });
});
