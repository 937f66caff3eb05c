import { describe, expect, it } from "vitest";
import { currencyCode, dayEnd, dayStart, minorUnits } from "./filters";

describe("filter fields", () => {
  it("reads days in the operator's time zone, the end day included, and amounts in major units", () => {
    expect(dayStart("")).toBeNull();
    expect(dayStart("24/11/2026")).toBeNull();
    expect(new Date(dayStart("2026-11-24") ?? "").getTime()).toBe(new Date(2026, 10, 24).getTime());
    expect(new Date(dayEnd("2026-12-31") ?? "").getTime()).toBe(new Date(2027, 0, 1).getTime());
    expect(minorUnits("", "Total")).toBeNull();
    expect(minorUnits("0.5", "Total")).toBe(50);
    expect(minorUnits("12,345.67", "Total")).toBe(1234567);
    expect(() => minorUnits("-3", "Total")).toThrow();
    expect(() => minorUnits("1.234", "Total")).toThrow();
    expect(minorUnits("1,500", "Total", 0)).toBe(1500);
    expect(() => minorUnits("1.5", "Total", 0)).toThrow();
    expect(minorUnits("2.5", "Total", 3)).toBe(2500);
    expect(currencyCode(" usd ", "Currency")).toBe("USD");
    expect(currencyCode("", "Currency")).toBeNull();
    expect(() => currencyCode("US1", "Currency")).toThrow();
  });
});
