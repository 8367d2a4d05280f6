/** C2SP tlog-proof text: written and read back, and what is not in the format is refused. */
import { describe, expect, it } from "vitest";
import { formatTlogProof, parseTlogProof } from "../../src/core/note/index.js";

const note = "example.com/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— example.com/log AAAAAQ==\n";

describe("tlog-proof", () => {
  it("has the header, the optional extra, the index, the hashes, an empty line and the note verbatim", () => {
    const proof = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const text = formatTlogProof({ extra: new Uint8Array([104, 105]), index: 2, proof, note });
    expect(text).toBe(`c2sp.org/tlog-proof@v1\nextra aGk=\nindex 2\n${Buffer.from(proof[0]!).toString("base64")}\n${Buffer.from(proof[1]!).toString("base64")}\n\n${note}`);
    expect(parseTlogProof(text)).toEqual({ extra: new Uint8Array([104, 105]), index: 2, proof, note });
    expect(parseTlogProof(formatTlogProof({ index: 0, proof: [], note }))).toEqual({ index: 0, proof: [], note });
  });

  it.each([
    ["another header", `c2sp.org/tlog-proof@v2\nindex 0\n\n${note}`],
    ["no index", `c2sp.org/tlog-proof@v1\n\n${note}`],
    ["a leading zero", `c2sp.org/tlog-proof@v1\nindex 01\n\n${note}`],
    ["a short hash", `c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\n${note}`],
  ])("refuses %s", (_, text) => {
    expect(() => parseTlogProof(text)).toThrow(/tlog-proof/);
  });
});
