import { describe, expect, it } from "vitest";
import { alertId, alertSignature } from "../../src/core/sweep/index.js";
import { CoreError } from "../../src/core/errors.js";
import { witnessFileName, witnessFileSize, witnessFolder, witnessIndexLine } from "../../src/core/note/index.js";
import { cappedBackoff } from "../../src/integrity/alert-queue.js";
import { errorCode } from "../support/errors.js";

describe("witness copy names", () => {
  it("name files by size, sortable, and read the size back from nothing else", () => {
    expect(witnessFileName(0)).toBe("00000000000000000000.checkpoint");
    expect(witnessFileName(1_000_000)).toBe("00000000000001000000.checkpoint");
    expect(witnessFileSize(witnessFileName(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    for (const name of ["1000000.checkpoint", "00000000000001000000.checkpoint.tmp", ".00000000000001000000.checkpoint.ab.tmp", "index.jsonl", "99999999999999999999.checkpoint"]) {
      expect(witnessFileSize(name), name).toBeUndefined();
    }
    expect(errorCode(() => witnessFileName(-1))).toBe("INVALID_ARGUMENT");
    expect(errorCode(() => witnessFileName(1.5))).toBe("INVALID_ARGUMENT");
  });

  it("keep every origin inside its own folder", () => {
    expect(witnessFolder("example.com/sealtrail/prod")).toBe("example.com%2Fsealtrail%2Fprod");
    expect(witnessFolder("..")).toBe("%2E%2E");
    expect(witnessFolder(".")).toBe("%2E");
    expect(witnessFolder("a..b")).toBe("a..b");
    expect(() => witnessFolder("")).toThrow(CoreError);
  });

  it("write index lines as canonical JSON, one per line", () => {
    expect(witnessIndexLine({ size: 3, origin: "o", file: "o/f", sha256: "ab", witnessedAt: "2026-01-01T00:00:00.000Z" })).toBe(
      '{"file":"o/f","origin":"o","sha256":"ab","size":3,"witnessedAt":"2026-01-01T00:00:00.000Z"}\n',
    );
  });
});

describe("alerts", () => {
  it("sign <timestamp>.<body> with HMAC-SHA256 (RFC 2104), as hex", () => {
    // From a standard tool: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac Jefe
    expect(alertSignature("Jefe", 1_700_000_000, '{"a":1}')).toBe("sha256=fa5f6481efc59da48b19c9dc10196c9953e5651f8304b3a318b6b87d70272e0a");
  });

  it("have ids stable for one event and distinct across events", () => {
    expect(alertId("sweep.tampered", "prod", "run-1")).toBe(alertId("sweep.tampered", "prod", "run-1"));
    expect(new Set([alertId("sweep.tampered", "prod", "run-1"), alertId("sweep.error", "prod", "run-1"), alertId("sweep.tampered", "prod", "run-2"), alertId("sweep.tampered", "dev", "run-1")]).size).toBe(4);
    expect(alertId("sweep.error", "*", "x")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("back off exponentially from 1 s to at most 10 minutes", () => {
    expect([1, 2, 3, 4].map((n) => cappedBackoff(n))).toEqual([1000, 2000, 4000, 8000]);
    expect(cappedBackoff(11)).toBe(600_000);
    expect(cappedBackoff(10_000)).toBe(600_000);
  });
});
