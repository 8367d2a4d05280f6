import { createReadStream, existsSync, readFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { sendJson } from "../http-io.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
  ".json": "application/json; charset=utf-8",
};

/**
 * The console's page may load only its own scripts and styles, talk only to this origin (HTTP
 * and WebSocket), and may not be framed (clickjacking). 'wasm-unsafe-eval' lets the terminal
 * player compile its WebAssembly; no script is ever evaluated from a string.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join("; ");

/** dist/console of the package this file belongs to (run from src/ or dist/), once built. */
export function consoleDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (isSealtrailPackage(join(dir, "package.json"))) {
      const built = join(dir, "dist", "console");
      return existsSync(join(built, "index.html")) ? built : undefined;
    }
    dir = dirname(dir);
  }
  return undefined;
}

function isSealtrailPackage(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { name?: string }).name === "sealtrail";
  } catch {
    return false;
  }
}

/**
 * GET / and the console's pages (history routes) answer index.html; /assets/* the built files,
 * which carry content hashes in their names and are cached for good. Without a build
 * (`npm run build` makes one) the page says so instead of failing blank.
 */
export function consoleRoute(root: string | undefined) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 404, { error: "NOT_FOUND" });
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("referrer-policy", "no-referrer");
    if (!root) {
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      return void res.end("The console is not built: run npm run build (npm ci runs it).\n");
    }
    const asset = url.pathname.startsWith("/assets/") || /^\/[\w.-]+\.(svg|png|ico)$/.test(url.pathname);
    const file = asset ? inside(root, url.pathname) : join(root, "index.html");
    const info = file ? await stat(file).catch(() => undefined) : undefined;
    if (!file || !info?.isFile()) return sendJson(res, 404, { error: "NOT_FOUND" });
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": info.size,
      "cache-control": asset ? "public, max-age=31536000, immutable" : "no-store",
      ...(asset ? {} : { "content-security-policy": CONSOLE_CSP, "x-frame-options": "DENY" }),
    });
    if (req.method === "HEAD") return void res.end();
    createReadStream(file).pipe(res);
  };
}

/** The file under root a URL path names, or undefined when it would leave root. */
function inside(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const file = normalize(join(root, decoded));
  return file.startsWith(root + sep) ? file : undefined;
}
