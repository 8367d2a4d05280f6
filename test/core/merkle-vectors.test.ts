import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CoreError } from "../../src/core/errors.js";
import { verifyConsistency, verifyInclusion } from "../../src/core/merkle/index.js";
import {
  formatVectors,
  generateConsistencyVectors,
  generateInclusionVectors,
  type ConsistencyVector,
  type InclusionVector,
} from "../vectors/generate-merkle.js";

const read = (name: string): string =>
  readFileSync(new URL(`../vectors/merkle/${name}.json`, import.meta.url), "utf8");
const inclusion = JSON.parse(read("inclusion")) as InclusionVector[];
const consistency = JSON.parse(read("consistency")) as ConsistencyVector[];
// Hex in the vectors is always well formed; odd-length strings are not used.
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));

/** The error code `fn` throws, false if it returns; anything but a CoreError fails the test. */
function outcome(fn: () => void): false | string {
  try {
    fn();
    return false;
  } catch (error) {
    expect(error).toBeInstanceOf(CoreError);
    return (error as CoreError).code;
  }
}

describe("Merkle golden vectors", () => {
  it("are what test/vectors/generate-merkle.ts generates", () => {
    expect(read("inclusion")).toBe(formatVectors(generateInclusionVectors()));
    expect(read("consistency")).toBe(formatVectors(generateConsistencyVectors()));
  });

  it.each(inclusion)("inclusion $desc", (v) => {
    const run = () => verifyInclusion(v.index, v.size, bytes(v.leafHash), v.proof.map(bytes), bytes(v.root));
    expect(outcome(run)).toBe(v.wantErr);
  });

  it.each(consistency)("consistency $desc", (v) => {
    const run = () => verifyConsistency(v.size1, v.size2, v.proof.map(bytes), bytes(v.root1), bytes(v.root2));
    expect(outcome(run)).toBe(v.wantErr);
  });
});
