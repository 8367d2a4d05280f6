/**
 * The size bars (STYLE.md): no source file over 400 lines, and no function over 100 lines
 * unless a comment before it says why, starting "Long:". Functions are measured with the
 * TypeScript compiler's own parse, from the first line of the declaration to its last.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const DIRS = ["src", "workers", "bench", "test", "console/src"];
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 100;
const JUSTIFIED = /(^|[\s*/])Long:/m;

interface Measured {
  file: string;
  line: number;
  name: string;
  lines: number;
  justified: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
  const named = node as { name?: ts.Node };
  if (named.name) return named.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return "constructor";
  return "(anonymous)";
}

/** The comments before a function, or before the declaration or property that holds it. */
function leadingComments(node: ts.Node, text: string): string {
  const holders = [node];
  for (let p = node.parent; p && (ts.isVariableDeclaration(p) || ts.isVariableDeclarationList(p) || ts.isVariableStatement(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isExportAssignment(p)); p = p.parent) holders.push(p);
  return holders.flatMap((h) => ts.getLeadingCommentRanges(text, h.getFullStart()) ?? []).map((r) => text.slice(r.pos, r.end)).join("\n");
}

/** A describe() block's callback: a group of tests, not a function with steps of its own. */
function isTestGroup(node: ts.Node): boolean {
  const call = node.parent;
  return ts.isCallExpression(call) && /^describe\b/.test(call.expression.getText()) && call.arguments.includes(node as ts.Expression);
}

function measureFunctions(file: string): Measured[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Measured[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body && !isTestGroup(node)) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ file, line: first + 1, name: nameOf(node, source), lines: last - first + 1, justified: JUSTIFIED.test(leadingComments(node, text)) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const files = DIRS.flatMap(sourceFiles);

const DESCRIBE_LINE = 1 + readFileSync(import.meta.filename, "utf8").split("\n").findIndex((l) => l.startsWith("describe(\"size bars"));

describe("size bars", () => {
  it(`has no file over ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .map((file) => ({ file, lines: readFileSync(join(ROOT, file), "utf8").split("\n").length - 1 }))
      .filter((f) => f.lines > MAX_FILE_LINES)
      .map((f) => `${f.file}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines without a comment before it saying why ("Long: …")`, () => {
    const long = files
      .flatMap(measureFunctions)
      .filter((f) => f.lines > MAX_FUNCTION_LINES && !f.justified)
      .map((f) => `${f.file}:${f.line} ${f.name}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });

  it("measures what it should: a function's lines from its first to its last, and the comment before it", () => {
    const measured = measureFunctions("test/architecture/size.test.ts");
    const own = measured.find((f) => f.name === "measureFunctions")!;
    expect(own.lines).toBeGreaterThan(10);
    expect(own.lines).toBeLessThan(20);
    expect(own.justified).toBe(false);
    const group = measured.find((f) => f.name === "isTestGroup")!;
    expect(group.lines).toBe(4);
    // The describe() callback below is not measured; the it() callbacks inside it are.
    expect(measured.filter((f) => f.name === "(anonymous)").length).toBeGreaterThan(0);
    expect(measured.some((f) => f.line === DESCRIBE_LINE)).toBe(false);
  });
});
