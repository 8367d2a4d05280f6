/** The help text is documented verbatim in docs/cli.md, and `worker` refuses bad options before connecting. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { USAGE } from "../../src/cli/usage.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("CLI usage", () => {
  it("is docs/cli.md's overview block, exactly", () => {
    const doc = readFileSync(`${ROOT}docs/cli.md`, "utf8");
    const from = doc.indexOf("```\n") + 4;
    expect(from).toBeGreaterThan(4);
    expect(doc.slice(from, doc.indexOf("```\n", from))).toBe(USAGE);
  });

  it("worker: a bad --concurrency or queue name is a usage or config error (exit 2, one line)", async () => {
    const run = (args: string[], env: Record<string, string> = {}) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, [`${ROOT}bin/sealtrail.js`, ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 30_000 }, (error, _stdout, stderr) =>
          resolve({ code: error ? (error.code as number) : 0, stderr }),
        );
      });
    const [zero, queue] = await Promise.all([run(["worker", "--concurrency", "0"]), run(["worker"], { SEALTRAIL_INGEST_QUEUE: "a:b" })]);
    expect(zero).toEqual({ code: 2, stderr: "sealtrail: worker: --concurrency: got 0, want at least 1\n" });
    expect(queue.code).toBe(2);
    expect(queue.stderr).toMatch(/^sealtrail: SEALTRAIL_INGEST_QUEUE: got "a:b", want a name without ":"\n$/);
  });
});
