/**
 * Content codings a client accepts (RFC 9110 §12.5.3 Accept-Encoding): whether a response may
 * be sent gzip-coded. C2SP tlog-tiles: "Entry bundles SHOULD be compressed at the HTTP layer.
 * Logs MAY use Content-Encoding: gzip with no negotiation, or any compression algorithm
 * requested by the client with Accept-Encoding"; we take the second: gzip when asked for.
 */
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";

export const gzip = promisify(gzipCallback);

/**
 * True when the Accept-Encoding header accepts gzip: `gzip` (or the `x-gzip` alias, §8.4.1.3)
 * with a weight above 0, or `*` above 0 without gzip named at 0. Absent or empty: no coding.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const text = Array.isArray(header) ? header.join(",") : (header ?? "");
  let gzipWeight: number | undefined;
  let anyWeight: number | undefined;
  for (const part of text.split(",")) {
    const [coding = "", ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (!Number.isFinite(weight)) continue;
    if (coding === "gzip" || coding === "x-gzip") gzipWeight = Math.max(gzipWeight ?? 0, weight);
    else if (coding === "*") anyWeight = weight;
  }
  return gzipWeight !== undefined ? gzipWeight > 0 : (anyWeight ?? 0) > 0;
}
