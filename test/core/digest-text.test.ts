import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { digestEqual, toHex } from "../../src/core/encoding/index.js";

describe("hex of digests and other bytes", () => {
  it("is Buffer's lowercase hex for every length, views at an offset and values past the scratch size", () => {
    for (let n = 0; n < 300; n += 1) {
      const bytes = randomBytes(n + 5);
      const view = new Uint8Array(bytes.buffer, bytes.byteOffset + 5, n);
      expect(toHex(view)).toBe(Buffer.from(view).toString("hex"));
      // A small typed array held on V8's heap, as the pack builder's copied digests are.
      expect(toHex(Uint8Array.from(view))).toBe(Buffer.from(view).toString("hex"));
    }
    expect(toHex(Uint8Array.from({ length: 256 }, (_, i) => i))).toBe(Buffer.from(Uint8Array.from({ length: 256 }, (_, i) => i)).toString("hex"));
  });
});

describe("digest equality", () => {
  it("is true for equal bytes only, false for other lengths", () => {
    const a = randomBytes(32);
    expect(digestEqual(a, Uint8Array.from(a))).toBe(true);
    for (let i = 0; i < 32; i++) {
      for (const bit of [1, 128]) {
        const b = Uint8Array.from(a);
        b[i]! ^= bit;
        expect(digestEqual(a, b)).toBe(false);
      }
    }
    expect(digestEqual(a, a.subarray(0, 31))).toBe(false);
    expect(digestEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});
