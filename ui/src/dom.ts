// Small DOM helpers. User data only ever goes in as text (textContent),
// never as HTML.
import type { ApiError } from "./api";

// Unicode's text-direction controls: invisible, they reorder the text
// around them, so a name holding U+202E can read as an address written
// backwards. They are shown as a visible marker instead.
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** The text with every text-direction control shown as "⟪U+202E⟫". */
export function visible(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `⟪U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}⟫`);
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, value);
  }
  // A text cell of a list may be cut short (ellipsis, see style.css): its
  // value goes in a span that can be, and the whole value shows on hover.
  const target: HTMLElement =
    tag === "td" && children.length > 0 && children.every((c) => typeof c === "string") ? document.createElement("span") : node;
  for (const child of children) {
    target.append(typeof child === "string" ? document.createTextNode(visible(child)) : child);
  }
  if (target !== node) {
    target.className = "clip";
    node.title = target.textContent ?? "";
    node.append(target);
  }
  return node;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) {
    throw new Error(`missing element #${id}`);
  }
  return node as T;
}

/** 1234567 → "1,234,567", the same grouping the CLI prints. */
export function formatCount(n: number): string {
  return Math.trunc(n).toLocaleString("en-US");
}

/** "1 order", "2,000 orders". */
export function count(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/** "4 minutes ago", "in 2 hours": how far `iso` is from `now`. */
export function relative(iso: string, now: Date = new Date()): string {
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["year", 31_536_000],
    ["month", 2_592_000],
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
  ];
  const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) {
      return format.format(Math.trunc(seconds / size), unit);
    }
  }
  return format.format(seconds, "second");
}

/** A moment in the operator's own time zone, with how long ago it was. */
export function when(iso: string | null, now: Date = new Date()): string {
  if (iso === null) return "never";
  const local = new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return `${local} (${relative(iso, now)})`;
}

function currencyFormat(currency: string): Intl.NumberFormat | null {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency });
  } catch {
    return null;
  }
}

/** Digits after the point in `currency`'s major unit: 2 for EUR, 0 for JPY; null if unknown. */
export function fractionDigits(currency: string): number | null {
  return currencyFormat(currency)?.resolvedOptions().maximumFractionDigits ?? null;
}

/** 12345, "EUR" → "€123.45": minor units in the currency's own exponent. */
export function money(minor: number, currency: string): string {
  const format = currencyFormat(currency);
  if (format === null) return `${formatCount(minor)} (minor units of ${currency})`;
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** The errors and notices banners, shared by every view. */
export type ShowError = (err: ApiError | null) => void;

export function showNotice(text: string | null): void {
  const box = byId("notice");
  box.hidden = text === null;
  box.textContent = visible(text ?? "");
}
