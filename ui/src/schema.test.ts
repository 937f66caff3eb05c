import { describe, expect, it } from "vitest";
import { indexRows } from "./schema";
import { size } from "./attach";

describe("schema", () => {
  it("lists each index with its size and whether it is there", () => {
    const rows = indexRows([
      { name: "backoffice_search_auth_user", purpose: "search <b>inside</b>", ddl: ["CREATE VIRTUAL TABLE x", "CREATE TRIGGER y"], exists: false, estimated_bytes: 1536 },
    ]);
    expect(rows).toHaveLength(1);
    const row = rows[0] as HTMLTableRowElement;
    expect(row.querySelector("b")).toBeNull();
    expect(row.textContent).toContain("1.5 KiB");
    expect(row.textContent).toContain("not yet");
    expect(row.title).toBe("CREATE VIRTUAL TABLE x;\nCREATE TRIGGER y");
    expect(indexRows([])[0]?.textContent).toBe("None for this database.");
  });

  it("says sizes as people read them", () => {
    expect(size(330)).toBe("330 bytes");
    expect(size(5 * 1024 * 1024)).toBe("5.0 MiB");
  });
});
