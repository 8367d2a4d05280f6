import type { Exporter } from "../exporter.js";
import { gdpr } from "./gdpr.js";
import { hipaa } from "./hipaa.js";
import { iso27001 } from "./iso27001.js";
import { pciDss } from "./pci-dss.js";
import { soc2 } from "./soc2.js";

/** The built-in exporters, by id. */
export const BUILT_IN_EXPORTERS: readonly Exporter[] = [soc2, hipaa, pciDss, iso27001, gdpr];
