import { afterEach, describe, expect, it } from "vitest";
import { Channel } from "@tauri-apps/api/core";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { api, type Progress } from "./api";

afterEach(() => clearMocks());

describe("long commands", () => {
  it("drop progress that arrives after the answer, so it cannot overwrite the result", async () => {
    let channel: Channel<Progress> | undefined;
    mockIPC((cmd, args) => {
      if (cmd !== "run_validation") throw new Error(`unexpected ${cmd}`);
      channel = (args as { onProgress: Channel<Progress> }).onProgress;
      channel.onmessage({ stage: "rule 1 of 2", done: 1, total: 2 });
      return { run_id: 1 };
    });
    const seen: string[] = [];
    const report = await api.runValidation("job-1", (p) => seen.push(p.stage));
    expect(report).toMatchObject({ run_id: 1 });
    channel?.onmessage({ stage: "done: late", done: 2, total: 2 });
    expect(seen).toEqual(["rule 1 of 2"]);
  });
});
