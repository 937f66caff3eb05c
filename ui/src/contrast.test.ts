// Every text/background pair the stylesheet uses meets WCAG 2's 4.5:1, in
// the light theme and the dark one. The colours are read from style.css
// itself, so a changed colour is checked as it is.
import { describe, expect, it } from "vitest";
import css from "./style.css?raw";

/** The custom properties of one theme: the light ones, then the dark overrides. */
function theme(dark: boolean): Map<string, string> {
  const vars = new Map<string, string>();
  const take = (block: string) => {
    for (const m of block.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})/g)) vars.set(m[1]!, m[2]!);
  };
  const darkBlocks = [...css.matchAll(/@media \(prefers-color-scheme: dark\)\s*\{([\s\S]*?\})\s*\}/g)].map((m) => m[1]!);
  let light = css;
  for (const b of darkBlocks) light = light.replace(b, "");
  for (const m of light.matchAll(/:root\s*\{([^}]*)\}/g)) take(m[1]!);
  if (dark) darkBlocks.forEach(take);
  return vars;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** [text, background]: where each colour of text stands in the window. */
const PAIRS: [string, string][] = [
  ["fg", "bg"],
  ["fg", "card"],
  ["muted", "bg"],
  ["muted", "card"],
  ["accent", "bg"],
  ["accent", "card"],
  ["on-accent", "accent"],
  ["on-danger", "ro"],
  ["ro", "bg"],
  ["ro", "card"],
  ["warn-fg", "warn-bg"],
  ["warn-fg", "bg"],
  ["warn-fg", "card"],
  ["err-fg", "err-bg"],
  ["ok-fg", "ok-bg"],
];

describe("contrast", () => {
  it("computes WCAG ratios", () => {
    expect(contrast("#ffffff", "#000000")).toBeCloseTo(21, 5);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
  });

  for (const dark of [false, true]) {
    it(`meets 4.5:1 for every pair in the ${dark ? "dark" : "light"} theme`, () => {
      const vars = theme(dark);
      const low = PAIRS.flatMap(([fg, bg]) => {
        const [a, b] = [vars.get(fg), vars.get(bg)];
        if (!a || !b) return [`--${fg} on --${bg}: not defined`];
        const r = contrast(a, b);
        return r < 4.5 ? [`--${fg} ${a} on --${bg} ${b}: ${r.toFixed(2)}:1`] : [];
      });
      expect(low).toEqual([]);
    });
  }

  it("sets no text colour outside the theme's variables", () => {
    expect(css.match(/[^-]color:\s*#[0-9a-fA-F]{3,6}/g)).toBeNull();
  });
});
