// Filter fields shared by the lists: days picked in date inputs, read in
// the operator's own time zone, and amounts typed in major units.
import type { ApiError } from "./api";

/** Local midnight at the start of `day` ("2026-11-24"), as an instant. */
export function dayStart(day: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).toISOString();
}

/** Local midnight after `day`: the exclusive end of a range that includes it. */
export function dayEnd(day: string): string | null {
  const start = dayStart(day);
  if (start === null) return null;
  const next = new Date(start);
  next.setDate(next.getDate() + 1);
  return next.toISOString();
}

function invalid(message: string): ApiError {
  return { code: "validation", message };
}

/**
 * "25", "25.5", "1,250.00" → minor units; "" → null. `digits` is the
 * currency's exponent: 2 (cents) unless a currency says otherwise (0 for JPY).
 */
export function minorUnits(text: string, field: string, digits = 2): number | null {
  const t = text.trim();
  if (t === "") return null;
  // Commas only as thousands separators: "25,50" is refused, not read as 2,550.
  const fraction = digits > 0 ? `(?:\\.(\\d{1,${digits}}))?` : "";
  const m = new RegExp(`^(\\d{1,12}|\\d{1,3}(?:,\\d{3}){1,3})${fraction}$`).exec(t);
  if (!m) {
    const example = digits > 0 ? `25 or 25.${"5".padEnd(digits, "0")}` : "25";
    throw invalid(`${field}: "${t.slice(0, 20)}" is not an amount like ${example}.`);
  }
  return Number((m[1] ?? "").replace(/,/g, "")) * 10 ** digits + Number((m[2] ?? "").padEnd(digits, "0") || "0");
}

/** " gbp " → "GBP"; "" → null; anything but three letters is refused. */
export function currencyCode(text: string, field: string): string | null {
  const t = text.trim().toUpperCase();
  if (t === "") return null;
  if (!/^[A-Z]{3}$/.test(t)) throw invalid(`${field}: "${t.slice(0, 20)}" is not a currency code like EUR.`);
  return t;
}
