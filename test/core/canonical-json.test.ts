import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAX_DEPTH, canonicalBytes, canonicalize } from "../../src/core/encoding/index.js";
import { errorCode } from "../support/errors.js";

interface Vector {
  desc: string;
  /** A JSON text, parsed with JSON.parse before canonicalization. */
  input: string;
  want?: string;
  wantErr?: "CANONICAL_JSON_INVALID";
}

const vectors = JSON.parse(
  readFileSync(new URL("../vectors/canonical-json.json", import.meta.url), "utf8"),
) as Vector[];


describe("canonical-json golden vectors", () => {
  it("has vectors", () => expect(vectors.length).toBeGreaterThan(50));

  it.each(vectors.map((v) => [v.desc, v] as const))("%s", (_desc, v) => {
    const value: unknown = JSON.parse(v.input);
    if (v.wantErr) {
      expect(errorCode(() => canonicalize(value))).toBe(v.wantErr);
    } else {
      expect(canonicalize(value)).toBe(v.want);
      // Canonical output is a fixed point.
      expect(canonicalize(JSON.parse(v.want!))).toBe(v.want);
    }
  });
});

describe("RFC 8785 Appendix B number serialization", () => {
  // IEEE-754 bit patterns and their required serialization, from the RFC's table.
  const table: [string, string][] = [
    ["0000000000000000", "0"],
    ["8000000000000000", "0"],
    ["0000000000000001", "5e-324"],
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"],
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"],
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"],
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"],
  ];
  const fromBits = (hex: string) => Buffer.from(hex, "hex").readDoubleBE(0);

  it.each(table)("%s → %s", (bits, want) => {
    expect(canonicalize(fromBits(bits))).toBe(want);
  });

  it.each(["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])("%s (NaN/±Infinity) is an error", (bits) => {
    expect(errorCode(() => canonicalize(fromBits(bits)))).toBe("CANONICAL_JSON_INVALID");
  });
});

describe("canonicalize on JS values JSON.parse cannot produce", () => {
  class Point {
    x = 1;
  }
  const sparse: unknown[] = [1];
  sparse[2] = 3;
  const cyclicObject: Record<string, unknown> = { a: 1 };
  cyclicObject.self = { back: cyclicObject };
  const cyclicArray: unknown[] = [1];
  cyclicArray.push([cyclicArray]);

  it.each<[string, unknown]>([
    ["NaN", NaN],
    ["Infinity in an object", { a: Infinity }],
    ["-Infinity in an array", [-Infinity]],
    ["undefined", undefined],
    ["undefined member (JSON.stringify would drop it)", { a: 1, b: undefined }],
    ["undefined element (JSON.stringify would write null)", [undefined]],
    ["array hole", sparse],
    ["function", () => 1],
    ["function member", { f() {} }],
    ["toJSON is not honoured: it is a function member", { toJSON: () => "x" }],
    ["symbol", Symbol("s")],
    ["symbol member", { s: Symbol("s") }],
    ["symbol key", { [Symbol("k")]: 1 }],
    ["bigint", 1n],
    ["nested bigint", { a: [1n] }],
    ["Date", new Date(0)],
    ["Map", new Map()],
    ["Uint8Array", new Uint8Array(1)],
    ["class instance", new Point()],
    ["boxed string", Object("x")],
    ["lone surrogate key", { "\ud800": 1 }],
    ["cyclic object", cyclicObject],
    ["cyclic array", cyclicArray],
  ])("%s → CANONICAL_JSON_INVALID", (_desc, value) => {
    expect(errorCode(() => canonicalize(value))).toBe("CANONICAL_JSON_INVALID");
  });

  it("accepts shared, acyclic references", () => {
    const shared = { z: 1, a: [true] };
    expect(canonicalize({ b: shared, a: shared, c: [shared, shared] })).toBe(
      '{"a":{"a":[true],"z":1},"b":{"a":[true],"z":1},"c":[{"a":[true],"z":1},{"a":[true],"z":1}]}',
    );
  });

  it("accepts null-prototype objects", () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.b = 1;
    o.a = null;
    expect(canonicalize(o)).toBe('{"a":null,"b":1}');
  });

  it("limits nesting at MAX_DEPTH", () => {
    let deep: unknown = 0;
    for (let i = 0; i < MAX_DEPTH; i++) deep = [deep];
    expect(canonicalize(deep)).toBe("[".repeat(MAX_DEPTH) + "0" + "]".repeat(MAX_DEPTH));
    expect(errorCode(() => canonicalize([deep]))).toBe("CANONICAL_JSON_INVALID");
  });

  it("does not call localeCompare-like ordering", () => {
    // "Z" (0x5a) < "a" (0x61) < "ä" (0xe4) by code unit; a locale sort would put "ä" near "a".
    expect(canonicalize({ "\u00e4": 1, a: 2, Z: 3 })).toBe('{"Z":3,"a":2,"\u00e4":1}');
  });
});

describe("canonicalBytes", () => {
  it("is the UTF-8 encoding of the canonical text", () => {
    const bytes = canonicalBytes({ "\u00e9": "\ud83d\ude00" });
    expect(Buffer.from(bytes).toString("hex")).toBe("7b22c3a9223a22f09f988022" + "7d");
    expect(bytes).toBeInstanceOf(Uint8Array);
  });

  it("throws the same error as canonicalize", () => {
    expect(errorCode(() => canonicalBytes("\udc00"))).toBe("CANONICAL_JSON_INVALID");
  });
});
