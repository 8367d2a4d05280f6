/**
 * RFC 3161 time-stamp requests and the status of responses. The token itself (a CMS
 * SignedData over TSTInfo, RFC 3161 §2.4.2) is checked by `openssl ts -verify`, the tool an
 * auditor runs; here we only build the request and check that the TSA granted one and that it
 * binds our digest, before storing it.
 */
import { CoreError } from "../errors.js";
import { children, concat, readElement, tlv } from "./der.js";

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
/** id-sha256, 2.16.840.1.101.3.4.2.1 (RFC 5754 §2.2), with NULL parameters. */
const SHA256_ALGORITHM = Uint8Array.from([0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00]);

/**
 * TimeStampReq (RFC 3161 §2.4.1): version 1, the SHA-256 message imprint, a nonce, and
 * certReq TRUE so that the token carries the TSA's certificate and `openssl ts -verify`
 * needs only the CA's.
 */
export function timeStampRequest(digest: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (digest.length !== 32) throw new CoreError("INVALID_ARGUMENT", `digest: got ${digest.length} bytes, want 32 (SHA-256)`);
  // A positive INTEGER in the fewest bytes (X.690 §8.3.2): no leading zero byte unless the
  // next byte's top bit is set, where it keeps the value positive.
  let first = 0;
  while (first < nonce.length - 1 && nonce[first] === 0 && nonce[first + 1]! < 0x80) first++;
  const trimmed = nonce.subarray(first);
  const n = trimmed[0]! >= 0x80 ? Uint8Array.from([0x00, ...trimmed]) : trimmed;
  return tlv(SEQUENCE, concat(
    tlv(INTEGER, Uint8Array.of(1)),
    tlv(SEQUENCE, concat(SHA256_ALGORITHM, tlv(OCTET_STRING, digest))),
    tlv(INTEGER, n),
    Uint8Array.from([0x01, 0x01, 0xff]),
  ));
}

/**
 * Checks a TimeStampResp (RFC 3161 §2.4.2): PKIStatus granted (0) or grantedWithMods (1), a
 * timeStampToken present, and the imprint of `digest` inside it (TSTInfo's messageImprint).
 * Returns the status, else throws INVALID_ARGUMENT naming what is wrong.
 */
export function checkTimeStampResponse(der: Uint8Array, digest: Uint8Array): number {
  const outer = readElement(der, 0);
  if (outer.tag !== SEQUENCE || outer.end !== der.length) throw new CoreError("INVALID_ARGUMENT", "time-stamp response: not one DER SEQUENCE");
  const [statusInfo, token] = children(der, outer);
  const status = statusInfo && children(der, statusInfo)[0];
  if (!status || status.tag !== INTEGER) throw new CoreError("INVALID_ARGUMENT", "time-stamp response: no PKIStatus");
  const value = der.subarray(status.start, status.end).reduce((v, b) => v * 256 + b, 0);
  if (value > 1) throw new CoreError("INVALID_ARGUMENT", `time-stamp response: PKIStatus ${value}, the TSA refused the request`);
  if (!token) throw new CoreError("INVALID_ARGUMENT", "time-stamp response: granted but no token");
  const imprint = concat(SHA256_ALGORITHM, tlv(OCTET_STRING, digest));
  if (!contains(der.subarray(token.start, token.end), imprint)) throw new CoreError("INVALID_ARGUMENT", "time-stamp token: does not stamp this digest");
  return value;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
