/**
 * The WebSocket class of the subscription server: a message that would reach the ledger
 * altered is refused before graphql-ws reads it. ws already closes a text frame that is not
 * UTF-8 (1007, RFC 6455 §8.1); a binary frame would be decoded with U+FFFD in place of bad
 * bytes, and JSON.parse would read 12345678901234567891 as 12345678901234567000 and keep one
 * of two members of the same name. Each closes
 * the connection with 4400 (graphql-ws's Bad Request) and the reason.
 */
import { WebSocket } from "ws";
import { checkExactJson, strictUtf8 } from "../core/encoding/index.js";

export const BAD_REQUEST = 4400;

export class ExactWebSocket extends WebSocket {
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === "message") {
      const refused = refusedMessage(args[0]);
      if (refused !== undefined) {
        // A close reason holds at most 123 bytes (RFC 6455 §5.5).
        this.close(BAD_REQUEST, Buffer.from(refused).subarray(0, 123).toString("utf8").replace(/\uFFFD$/, ""));
        return true;
      }
    }
    return super.emit(event, ...args);
  }
}

function refusedMessage(data: unknown): string | undefined {
  const bytes = Array.isArray(data) ? Buffer.concat(data as Buffer[]) : data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array);
  const text = strictUtf8(bytes);
  if (text === undefined) return "the message is not UTF-8 text";
  try {
    checkExactJson(text, "the message");
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
