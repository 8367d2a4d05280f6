/**
 * Numbers kept exactly or refused (src/core/encoding/exact-number.ts), and timestamps kept to
 * the millisecond or refused: the ledger never stores a value other than the one it was sent.
 */
import { describe, expect, it } from "vitest";
import { checkExactNumbers, exactNumber, firstInexactNumber, isExactNumberLiteral, strictUtf8 } from "../../src/core/encoding/index.js";
import { CoreError } from "../../src/core/errors.js";
import { normalizeEvent } from "../../src/core/entry/index.js";

describe("number literals", () => {
  it("are exact when the double they read as is their decimal value", () => {
    for (const ok of ["0", "-0", "1", "-17", "9007199254740991", "-9007199254740991", "9007199254740992", "1.10", "1e2", "1E+2", "0.1", "0.30000000000000004", "1.5e-7", "1234567890123456e-10", "5e-324", "1.7976931348623157e308", "0.000", "100e-2"]) {
      expect(isExactNumberLiteral(ok), ok).toBe(true);
    }
  });

  // 2^64 is a double, but its canonical form (RFC 8785 §3.2.2.3) is 18446744073709552000:
  // the stored text would name another number than the one sent.
  it("are refused when reading them would change their value", () => {
    for (const bad of ["12345678901234567891", "-12345678901234567891", "9007199254740993", "0.30000000000000000001", "1e400", "-1e400", "1e-400", "3.141592653589793238462643383279", "1.00000000000000000001", "123456789012345678901234567890e-10", "18446744073709551616"]) {
      expect(isExactNumberLiteral(bad), bad).toBe(false);
      expect(() => exactNumber(bad)).toThrowError(CoreError);
    }
    try {
      exactNumber("12345678901234567891", "payload.n");
    } catch (error) {
      expect(error).toMatchObject({ code: "CANONICAL_JSON_INVALID" });
      expect((error as Error).message).toContain("12345678901234567891");
    }
  });

  it("are found in JSON text outside strings only", () => {
    expect(firstInexactNumber('{"a":[1,2.5,{"b":12345678901234567891}]}')).toBe("12345678901234567891");
    expect(firstInexactNumber('{"a":"12345678901234567891","b\\"12345678901234567891":1}')).toBeUndefined();
    expect(firstInexactNumber('{"s":"\\\\","n":-9007199254740993}')).toBe("-9007199254740993");
    expect(firstInexactNumber("[1e2, 0.1, -0]")).toBeUndefined();
    expect(() => checkExactNumbers('{"n":1e999}', "body")).toThrowError(/body: 1e999 cannot be kept exactly/);
  });

  it("strict UTF-8 refuses ill-formed bytes instead of replacing them", () => {
    expect(strictUtf8(Buffer.from("é€😀", "utf8"))).toBe("é€😀");
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x61, 0x80]]) expect(strictUtf8(Uint8Array.from(bad)), String(bad)).toBeUndefined();
    expect(strictUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]))).toBe("\ufeffa");
  });
});

describe("timestamps", () => {
  const ok = { kind: "deploy", actor: "a", action: "b", resource: "c" };
  it("keep milliseconds; finer digits are refused unless they are zeros", () => {
    expect(normalizeEvent({ ...ok, occurredAt: "2026-11-22T10:00:00.123000Z" }, new Date()).occurredAt).toBe("2026-11-22T10:00:00.123Z");
    expect(normalizeEvent({ ...ok, occurredAt: "2026-11-22T10:00:00.1+00:00" }, new Date()).occurredAt).toBe("2026-11-22T10:00:00.100Z");
    for (const fine of ["2026-11-22T10:00:00.123456Z", "2026-11-22T10:00:00.0001Z", "2026-11-22T11:00:00.999999999+01:00"]) {
      expect(() => normalizeEvent({ ...ok, occurredAt: fine }, new Date()), fine).toThrowError(expect.objectContaining({ code: "ENTRY_INVALID", message: expect.stringContaining("millisecond") }));
    }
  });
});
