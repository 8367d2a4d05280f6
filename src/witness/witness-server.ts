/**
 * The witness's HTTP service (C2SP tlog-witness "HTTP Interface"): POST
 * <prefix>/add-checkpoint, with keep-alive. The submission prefix is the server's root.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { addCheckpoint, type WitnessIdentity } from "./add-checkpoint.js";

/** A checkpoint with 63 proof lines and 100 signatures stays far below this. */
const MAX_BODY = 64 * 1024;

export interface RunningWitness {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startWitnessServer(w: WitnessIdentity, port = 0, host = "127.0.0.1"): Promise<RunningWitness> {
  await w.state.init();
  const server = createServer({ keepAlive: true }, (req, res) => {
    const send = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.url !== "/add-checkpoint") return send(404, "text/plain; charset=utf-8", "not found\n");
    if (req.method !== "POST") return send(405, "text/plain; charset=utf-8", "POST only\n");
    const chunks: Buffer[] = [];
    let length = 0;
    req.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length > MAX_BODY) {
        send(413, "text/plain; charset=utf-8", "request body too large\n");
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => {
      if (length > MAX_BODY) return;
      let body: string;
      try {
        body = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
      } catch {
        return send(400, "text/plain; charset=utf-8", "body is not UTF-8\n");
      }
      addCheckpoint(w, body).then(
        (r) => send(r.status, r.contentType, r.body),
        (error: unknown) => send(500, "text/plain; charset=utf-8", `witness: ${(error as Error).message}\n`),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
