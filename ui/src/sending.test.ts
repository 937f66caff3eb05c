import { describe, expect, it } from "vitest";
import type { BulkSendPreview } from "./api";
import { audienceOf, bulkSummary, parseIds, reportText } from "./sending";

const PAYLOAD = "<img src=x onerror=alert(1)>";

describe("bulk send wizard", () => {
  it("reads ids separated by spaces, commas or new lines, once each", () => {
    expect(parseIds("12, 13\n14;12")).toEqual([12, 13, 14]);
    expect(parseIds("12 x13")).toMatchObject({ code: "validation", message: expect.stringContaining("x13") });
    expect(parseIds("  ")).toMatchObject({ code: "validation" });
  });

  it("turns the fields into the audience the core expects", () => {
    expect(audienceOf("unverified", "7", "")).toEqual({ by: "unverified", days: 7 });
    expect(audienceOf("unverified", "0", "")).toMatchObject({ code: "validation" });
    expect(audienceOf("unverified", "2.5", "")).toMatchObject({ code: "validation" });
    expect(audienceOf("orders", "7", "5 6")).toEqual({ by: "orders", ids: [5, 6] });
    expect(audienceOf("users", "7", "9")).toEqual({ by: "users", ids: [9] });
  });

  it("summarises the preview and shows the sample as text", () => {
    const preview: BulkSendPreview = {
      template: "support_message",
      recipients: 1201,
      already_sent: 1,
      to_queue: 1200,
      missing: Array.from({ length: 12 }, (_, i) => i + 100),
      sample: { subject: PAYLOAD, text: `Hello ${PAYLOAD}`, html: `<p>${PAYLOAD}</p>` },
      sample_user: "7",
    } as BulkSendPreview;
    const root = document.createElement("div");
    root.append(...bulkSummary(preview));
    expect(root.textContent).toContain("1,201 recipients: 1,200 to queue, 1 already notified recently (skipped).");
    expect(root.textContent).toContain("Not found, left out: 100, 101");
    expect(root.textContent).toContain("and 2 more");
    expect(root.textContent).toContain("What user 7 would receive:");
    expect(root.textContent).toContain(PAYLOAD);
    expect(root.querySelector("img")).toBeNull();
  });

  it("reports what was queued, and says when it was stopped", () => {
    const r = { queued: 1000, skipped: 3, refused: 1, refusals: ["user 4: the account is disabled"], cancelled: false };
    expect(reportText(r)).toBe("Queued 1,000, skipped 3 already notified, 1 refused.");
    expect(reportText({ ...r, cancelled: true })).toMatch(/^Stopped: queued 1,000/);
  });
});
