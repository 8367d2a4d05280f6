/**
 * JSON text read exactly or refused (src/core/encoding/exact-json.ts): an object naming a
 * member twice would be read by JSON.parse as the last one alone, the first dropped without a
 * word; such text is refused, as a number a double cannot keep is.
 */
import { describe, expect, it } from "vitest";
import { checkExactJson, firstDuplicateName } from "../../src/core/encoding/index.js";
import { CoreError } from "../../src/core/errors.js";

describe("repeated member names", () => {
  it("are found in any object at any depth, compared after unescaping", () => {
    expect(firstDuplicateName('{"actor":"alice","actor":"mallory"}')).toBe("actor");
    expect(firstDuplicateName('{"events":[{"kind":"k","payload":{"a":{"b":1,"b":2}}}]}')).toBe("b");
    expect(firstDuplicateName('{"a":1,"\\u0061":2}')).toBe("a");
    expect(firstDuplicateName('[{"x":1},{"x":2}]')).toBeUndefined();
    expect(firstDuplicateName('{"a":{"a":1},"b":[{"a":2}],"c":"a"}')).toBeUndefined();
    // A value equal to a name, and names inside strings, are not names.
    expect(firstDuplicateName('{"a":"a","b":"\\"a\\":1,\\"a\\":2"}')).toBeUndefined();
    expect(firstDuplicateName('{ "a" : 1 , "b" : { } , "a" : [ ] }')).toBe("a");
    expect(firstDuplicateName('"plain"')).toBeUndefined();
  });

  it("cost no recursion: nesting 200,000 deep is read", () => {
    const deep = `${"[".repeat(200_000)}{"a":1,"a":2}${"]".repeat(200_000)}`;
    expect(firstDuplicateName(deep)).toBe("a");
  });

  it("are refused with CANONICAL_JSON_INVALID, as inexact numbers are", () => {
    expect(() => checkExactJson('{"a":1,"a":1}', "body")).toThrowError(CoreError);
    expect(() => checkExactJson('{"a":1,"a":1}', "body")).toThrowError(/body: an object names the member "a" twice/);
    expect(() => checkExactJson('{"n":12345678901234567891}', "body")).toThrowError(/cannot be kept exactly/);
    try {
      checkExactJson('{"k":1,"k":2}');
    } catch (error) {
      expect(error).toMatchObject({ code: "CANONICAL_JSON_INVALID" });
    }
    expect(() => checkExactJson('{"a":1,"b":{"a":2}}')).not.toThrow();
  });
});
