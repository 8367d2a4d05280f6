import type { Exporter } from "../exporter.js";
import { hipaa } from "./hipaa.js";
import { pciDss } from "./pci-dss.js";
import { soc2 } from "./soc2.js";

/** The built-in exporters, by id. */
export const BUILT_IN_EXPORTERS: readonly Exporter[] = [soc2, hipaa, pciDss];
