// The import check in `npm test` (typecheck stage): top-level folders of src/ may depend on each
// other only in one direction (no cycle between folders, type-only imports included), and the
// files directly in src/ (the composition root: main, serve) are imported by none of them.
// Prints the folder graph in dependency order; exits 1 with each cycle's edges otherwise.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src", import.meta.url));
const ROOT_FOLDER = "(src)";
const IMPORT = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const folderOf = (file: string) => {
  const rel = relative(SRC, file);
  return rel.includes(sep) ? rel.split(sep)[0]! : ROOT_FOLDER;
};

/** folder -> folder -> one example "file -> imported file" per edge */
const edges = new Map<string, Map<string, string>>();
for (const file of sourceFiles(SRC)) {
  const from = folderOf(file);
  for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
    const target = normalize(join(dirname(file), m[1]!));
    if (!target.startsWith(SRC)) continue;
    const to = folderOf(target);
    if (to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    edges.get(from)!.has(to) || edges.get(from)!.set(to, `${relative(SRC, file)} -> ${relative(SRC, target)}`);
  }
}

const problems: string[] = [];
for (const [from, tos] of edges) {
  if (from !== ROOT_FOLDER && tos.has(ROOT_FOLDER)) problems.push(`${from}/ imports the composition root: ${tos.get(ROOT_FOLDER)}`);
}

// Tarjan's strongly connected components: any with more than one folder is a cycle.
const folders = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])])].sort();
let index = 0;
const idx = new Map<string, number>();
const low = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
const components: string[][] = [];
function strongConnect(v: string): void {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!idx.has(w)) {
      strongConnect(w);
      low.set(v, Math.min(low.get(v)!, low.get(w)!));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
  }
  if (low.get(v) === idx.get(v)) {
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    components.push(component.sort());
  }
}
for (const f of folders) if (!idx.has(f)) strongConnect(f);
for (const c of components) {
  if (c.length < 2) continue;
  const inCycle = c.flatMap((a) => c.filter((b) => edges.get(a)?.has(b)).map((b) => `  ${a}/ -> ${b}/ (${edges.get(a)!.get(b)})`));
  problems.push(`import cycle between ${c.map((f) => `${f}/`).join(", ")}:\n${inCycle.join("\n")}`);
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
// Tarjan emits components dependencies-first: the lowest layer comes first.
console.log(`import directions ok: ${components.map((c) => c[0]).join(" <- ")}`);
