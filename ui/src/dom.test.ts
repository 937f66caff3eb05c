import { describe, expect, it } from "vitest";
import { el, visible } from "./dom";

describe("text-direction controls", () => {
  it("are shown as markers, so a name cannot reorder what is around it", () => {
    const spoof = "Mal \u202Emoc.elpmaxe@evil";
    expect(visible(spoof)).toBe("Mal ⟪U+202E⟫moc.elpmaxe@evil");
    expect(visible("\u2066x\u2069 \u200F")).toBe("⟪U+2066⟫x⟪U+2069⟫ ⟪U+200F⟫");
    expect(visible("דוב Zoë")).toBe("דוב Zoë");
  });

  it("never reach the page through el()", () => {
    const cell = el("td", {}, "Mal \u202Eevil");
    expect(cell.textContent).toBe("Mal ⟪U+202E⟫evil");
    expect(cell.title).toBe("Mal ⟪U+202E⟫evil"); // the whole value on hover
  });
});
