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

/** "25", "25.5", "1,250.00" → minor units (cents); "" → null. */
export function minorUnits(text: string, field: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  // Commas only as thousands separators: "25,50" is refused, not read as 2,550.
  const m = /^(\d{1,12}|\d{1,3}(?:,\d{3}){1,3})(?:\.(\d{1,2}))?$/.exec(t);
  if (!m) {
    const err: ApiError = { code: "validation", message: `${field}: "${text.trim().slice(0, 20)}" is not an amount like 25 or 25.50.` };
    throw err;
  }
  return Number((m[1] ?? "").replace(/,/g, "")) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}
