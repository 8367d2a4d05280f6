import type { Exporter } from "../packs/exporter.js";
import type { EvidenceProducer } from "../packs/evidence-queue.js";

/** What the API needs to take pack requests and serve finished packs. */
export interface EvidenceService {
  queue: EvidenceProducer;
  exporters: Map<string, Exporter>;
  /** Where the evidence worker writes packs (<dir>/<tenant>/<request id>.tar.gz). */
  packDir: string;
}

export const DOWNLOAD_PREFIX = "/packs/";
