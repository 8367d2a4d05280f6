/** What an exporter's render may write: files under its own directory of the pack, never the seal. */
import { SHA256SUMS_FILE } from "../core/pack/index.js";
import { PackError } from "./pack-error.js";
import type { PackWriter } from "./pack-writer.js";

export function exporterFiles(writer: PackWriter, id: string) {
  return {
    async writeText(path: string, text: string) {
      if (!path.startsWith(`${id}/`) || path === SHA256SUMS_FILE) throw new PackError("EXPORTER_INVALID", `exporter ${id} may write only under ${id}/, not ${path}`);
      await writer.writeText(path, text);
    },
  };
}
