/**
 * Shipping what capture processes left behind: the records a hook just spooled, and, for
 * `sealtrail tmux flush`, every pane spool no live capture holds (a pane that ended while
 * Redis was away, a machine that restarted).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readCaptureConfig, type CaptureConfig } from "./capture-config.js";
import { tryLockPane } from "./pane-lock.js";
import { readPaneInfo, shipPane, shipRecords, type ShipperState } from "./pane-shipper.js";
import { PaneSpool } from "./pane-spool.js";
import { sleep } from "./shipper.js";
import { openTransport } from "./transport.js";
import { TmuxError } from "./tmux-error.js";

/** Tries to ship the server run's records within `timeoutMs`; they stay spooled otherwise. */
export async function shipRecordsOnce(serverDir: string, config: CaptureConfig, timeoutMs: number): Promise<number | false> {
  const transport = openTransport(config);
  try {
    return await Promise.race([shipRecords(transport, serverDir), sleep(timeoutMs).then(() => false as const)]);
  } catch {
    return false;
  } finally {
    await transport.close();
  }
}

export interface Flushed extends ShipperState {
  /** Pane spools emptied. */
  panes: number;
  /** Pane spools a live capture holds (it ships them itself). */
  busy: number;
  /** Chunks still spooled because the queue stayed unavailable. */
  left: number;
}

/** Ships every idle pane spool and record spool under `spoolRoot`; gives up after `timeoutMs`. */
export async function flushSpools(spoolRoot: string, timeoutMs: number): Promise<Flushed> {
  const flushed: Flushed = { panes: 0, busy: 0, left: 0, shippedChunks: 0, shippedBytes: 0, shippedRecords: 0, retries: 0 };
  const stop = AbortSignal.timeout(timeoutMs);
  let servers: string[];
  try {
    servers = readdirSync(spoolRoot).filter((n) => n.startsWith("tmux-"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return flushed;
    throw new TmuxError("SPOOL", `spool ${spoolRoot}: ${(error as Error).message}`, { cause: error });
  }
  for (const server of servers) {
    const dir = join(spoolRoot, server);
    const config = readCaptureConfig(dir);
    const transport = openTransport(config);
    try {
      for (const pane of readdirSync(dir).filter((n) => /^pane-\d+$/.test(n))) {
        const paneDir = join(dir, pane);
        const lock = tryLockPane(paneDir);
        if (!lock) {
          flushed.busy++;
          continue;
        }
        const spool = PaneSpool.open(paneDir);
        try {
          await shipPane({ transport, config, serverDir: dir, spool, pane: readPaneInfo(paneDir), stop, draining: () => true, state: flushed });
          if (spool.unshipped === 0) flushed.panes++;
          flushed.left += spool.unshipped;
        } finally {
          await spool.close();
          lock.release();
        }
      }
      const records = await shipRecords(transport, dir);
      if (records !== false) flushed.shippedRecords += records;
    } finally {
      await transport.close();
    }
  }
  return flushed;
}
