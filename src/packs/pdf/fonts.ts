/**
 * The report's fonts: DejaVu (npm package dejavu-fonts-ttf), embedded and subset by pdfkit.
 * The 14 standard PDF fonts are WinAnsi only and would garble terminal output, names and
 * symbols (STACK.md); DejaVu covers Latin, Greek, Cyrillic and box-drawing characters.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const FONTS = {
  body: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"),
  bold: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"),
  mono: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf"),
} as const;
