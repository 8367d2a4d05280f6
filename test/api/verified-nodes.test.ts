import { describe, expect, it } from "vitest";
import { VerifiedNodes } from "../../src/api/verified-nodes.js";

const hash = (n: number) => new Uint8Array(32).fill(n);

describe("VerifiedNodes", () => {
  it("holds at most its bound, keeping the nodes read again (those near the root) over the rest", () => {
    const nodes = new VerifiedNodes(100);
    nodes.set(-1, hash(1)); // read by every page
    for (let key = 0; key < 1_000; key++) {
      nodes.set(key, hash(2));
      expect(nodes.get(-1)).toEqual(hash(1));
      expect(nodes.size).toBeLessThanOrEqual(100);
    }
    expect(nodes.get(999)).toEqual(hash(2));
    expect(nodes.get(0)).toBeUndefined();
  });
});
