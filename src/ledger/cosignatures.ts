/**
 * Witness cosignatures of checkpoints (C2SP tlog-cosignature), stored as the note signature
 * lines the witnesses returned. The note of a checkpoint "as served" is its signed note with
 * these lines appended: any signed-note verifier ignores the lines of keys it does not know.
 */
/** A signed note with cosignature lines appended (signed-note "Format": one line per signature). */
export function withCosignatures(note: string, lines: readonly { line: string }[]): string {
  return note + lines.map((l) => l.line).filter((l) => !note.includes(l)).join("");
}
