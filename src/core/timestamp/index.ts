/**
 * RFC 3161 trusted time-stamps: the DER request for a SHA-256 digest, and the checks of a
 * response made before it is stored (the token's signature is for `openssl ts -verify`).
 */
export { checkTimeStampResponse, timeStampRequest } from "./time-stamp.js";
