/**
 * The searchable text of terminal output: what a reader would see, without the control
 * sequences that drew it. Derived beside the exact bytes, never instead of them; lossy by
 * design (bytes that are not UTF-8 are dropped, cursor movement is not replayed).
 *
 * Sequences removed, after ECMA-48 §5 and the xterm control sequences: CSI (ESC [ … final
 * byte 0x40–0x7E), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC strings (ESC P/X/^/_ … ST),
 * two-byte escapes, then any C0/C1 control other than newline and tab.
 */
const SEQUENCES =
  // eslint-disable-next-line no-control-regex
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]|\u009b[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]/g;
const HAS_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]/;

const decoder = new TextDecoder("utf-8", { fatal: false });

export function terminalText(data: Uint8Array): string {
  let text = decoder.decode(data);
  // Bulk output often has no control sequence at all: skip the costly alternation then.
  if (text.includes("\x1b") || text.includes("\u009b")) text = text.replace(SEQUENCES, "");
  if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n");
  return HAS_CONTROL.test(text) ? text.replace(CONTROLS, "") : text;
}
