/**
 * A real RFC 3161 time-stamping authority for tests: OpenSSL's `openssl ts -reply` behind a
 * small HTTP handler, with a CA and a TSA certificate (extendedKeyUsage timeStamping, critical,
 * as RFC 3161 §2.3 requires) made at test time in a temporary directory.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestTsa {
  url: string;
  dir: string;
  /** The CA certificate an auditor verifies tokens against. */
  caFile: string;
  /** Requests answered so far. */
  served: number;
  close(): Promise<void>;
}

export async function startTestTsa(): Promise<TestTsa> {
  const dir = await mkdtemp(join(tmpdir(), "sealtrail-tsa-"));
  const at = (f: string) => join(dir, f);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", ["req", "-x509", "-new", ...ec, "-keyout", at("ca.key"), "-out", at("ca.crt"), "-subj", "/CN=sealtrail test TSA CA", "-days", "2",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]);
  await run("openssl", ["req", "-new", ...ec, "-keyout", at("tsa.key"), "-out", at("tsa.csr"), "-subj", "/CN=sealtrail test TSA"]);
  await writeFile(at("tsa.ext"), "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n");
  await run("openssl", ["x509", "-req", "-in", at("tsa.csr"), "-CA", at("ca.crt"), "-CAkey", at("ca.key"), "-CAcreateserial", "-out", at("tsa.crt"), "-days", "2", "-extfile", at("tsa.ext")]);
  await writeFile(at("serial"), "01\n");
  await writeFile(at("tsa.cnf"), [
    "[ tsa ]", "default_tsa = tsa_config", "[ tsa_config ]", `dir = ${dir}`, "serial = $dir/serial", "crypto_device = builtin",
    "signer_cert = $dir/tsa.crt", "certs = $dir/ca.crt", "signer_key = $dir/tsa.key", "signer_digest = sha256", "default_policy = 1.3.6.1.4.1.4146.2.3",
    "digests = sha256", "accuracy = secs:1", "ordering = yes", "tsa_name = yes", "ess_cert_id_chain = no", "ess_cert_id_alg = sha256", "",
  ].join("\n"));
  // One reply at a time: `openssl ts -reply` increments the serial file.
  let queue: Promise<unknown> = Promise.resolve();
  const tsa: TestTsa = { url: "", dir, caFile: at("ca.crt"), served: 0, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      queue = queue.then(async () => {
        const n = ++tsa.served;
        await writeFile(at(`q${n}.tsq`), Buffer.concat(chunks));
        try {
          await run("openssl", ["ts", "-reply", "-config", at("tsa.cnf"), "-queryfile", at(`q${n}.tsq`), "-out", at(`r${n}.tsr`)]);
          const reply = await readFile(at(`r${n}.tsr`));
          res.writeHead(200, { "content-type": "application/timestamp-reply" }).end(reply);
        } catch (error) {
          res.writeHead(500).end(String(error));
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  tsa.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
  tsa.close = async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  };
  return tsa;
}
