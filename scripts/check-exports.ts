// The unused-export check in `npm test` (typecheck stage): every name a hand-written file of
// src/ exports is imported by some other file (of src/, test/, scripts/ or compile/), or is on
// the allow-list below with a reason. An export nobody imports is dead code, or a name that
// should not be exported. Generated code (src/protocol/messages/) is not checked: its
// encoders, decoders and defaults are emitted for every message whether used or not.
//
// It reads import and export declarations with TypeScript's parser (no type checking):
// `import { a as b }`, `import * as ns` (then every `ns.name` counts), `await import(…)` (the
// destructured or accessed names count), `export … from` (a re-export counts as a use once its
// own name is used). `bun scripts/check-exports.ts --test-only` also lists exports that only
// tests import (not a failure: tests may reach internals; a place to look for test-only code).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SCANNED = ["src", "test", "scripts", "compile"];
const GENERATED = join("src", "protocol", "messages") + "/";

/** Exports nobody in the repository imports, by "file: name", with the reason they stay. */
const ALLOWED: Record<string, string> = {};

function sourceFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    if (name === "node_modules" || name.startsWith(".")) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

type Key = string; // "src/a/b.ts: name"
const key = (file: string, name: string): Key => `${relative(ROOT, file)}: ${name}`;

interface Exported {
  file: string;
  name: string;
  /** A type (interface, type alias, `export type {…}`) rather than a value. */
  type: boolean;
  /** The file itself names it besides declaring it (a type in an exported signature, say). */
  usedInFile: boolean;
}
const exported = new Map<Key, Exported>();
const usedBy = new Map<Key, Set<string>>(); // export -> importing files
/** Re-exports: using `file: name` uses `from: original`. */
const reexports = new Map<Key, Key[]>();
/** `export * from`: a name of `file` may be one of `from`'s. */
const starExports = new Map<string, string[]>();

function target(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return resolve(dirname(fromFile), specifier);
}

function use(file: string, name: string, by: string): void {
  const k = key(file, name);
  if (!usedBy.has(k)) usedBy.set(k, new Set());
  usedBy.get(k)!.add(relative(ROOT, by));
}

/** Every name of `module` counts as used (a namespace or dynamic import we cannot follow). */
const ALL = "*";

function scan(file: string): void {
  const text = readFileSync(file, "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const namespaces = new Map<string, string>(); // local namespace name -> module file

  // How often each identifier occurs in the file: more than once means more than its declaration.
  const occurrences = new Map<string, number>();
  const count = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) occurrences.set(node.text, (occurrences.get(node.text) ?? 0) + 1);
    ts.forEachChild(node, count);
  };
  count(sf);
  const exportName = (name: string, type = false, declared = true) =>
    exported.set(key(file, name), { file, name, type, usedInFile: (occurrences.get(name) ?? 0) > (declared ? 1 : 2) });

  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const mod = target(file, st.moduleSpecifier.text);
      const clause = st.importClause;
      if (!mod || !clause) continue;
      if (clause.name) use(mod, "default", file);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, mod);
      else if (bindings) { for (const el of bindings.elements) use(mod, (el.propertyName ?? el.name).text, file); }
      continue;
    }
    if (ts.isExportDeclaration(st)) {
      const mod = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? target(file, st.moduleSpecifier.text) : undefined;
      if (!st.exportClause) {
        if (mod) starExports.set(file, [...(starExports.get(file) ?? []), mod]);
        continue;
      }
      if (ts.isNamespaceExport(st.exportClause)) {
        exportName(st.exportClause.name.text, st.isTypeOnly);
        if (mod) reexports.set(key(file, st.exportClause.name.text), [key(mod, ALL)]);
        continue;
      }
      for (const el of st.exportClause.elements) {
        // `export { a }` of a local or imported name: the file names it at least twice already.
        exportName(el.name.text, st.isTypeOnly || el.isTypeOnly, mod !== undefined);
        if (mod) reexports.set(key(file, el.name.text), [key(mod, (el.propertyName ?? el.name).text)]);
      }
      continue;
    }
    if (ts.isExportAssignment(st)) {
      exportName("default");
      continue;
    }
    const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
    if (!mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    const isDefault = mods.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    const isType = ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st);
    if (isDefault) exportName("default");
    else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) exportName(d.name.text);
    } else if ("name" in st && st.name && ts.isIdentifier(st.name as ts.Node)) exportName((st.name as ts.Identifier).text, isType);
  }

  // namespace members and dynamic imports, anywhere in the file
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const mod = namespaces.get(node.expression.text);
      if (mod) use(mod, node.name.text, file);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      const mod = arg && ts.isStringLiteral(arg) ? target(file, arg.text) : undefined;
      if (mod) { for (const name of dynamicNames(node)) use(mod, name, file); }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

/** The names taken from `import(…)`: `(await import(m)).name`, `const { a, b } = await import(m)`, else all. */
function dynamicNames(call: ts.CallExpression): string[] {
  let node: ts.Node = call;
  while (ts.isAwaitExpression(node.parent) || ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node) return [parent.name.text];
  if (ts.isVariableDeclaration(parent) && ts.isObjectBindingPattern(parent.name)) {
    return parent.name.elements.map((el) => ((el.propertyName ?? el.name) as ts.Identifier).text);
  }
  return [ALL];
}

const files = SCANNED.flatMap((d) => sourceFiles(join(ROOT, d)));
for (const file of files) scan(file);

// A module path in an import may omit nothing here (imports spell ".ts"), so keys match files.
// Follow re-exports and `export *` until nothing changes.
const isUsed = (k: Key): boolean => {
  const [file] = k.split(": ");
  return (usedBy.get(k)?.size ?? 0) > 0 || (usedBy.get(`${file}: ${ALL}`)?.size ?? 0) > 0;
};
for (let changed = true; changed;) {
  changed = false;
  for (const [k, targets] of reexports) {
    if (!isUsed(k)) continue;
    for (const t of targets) {
      if (isUsed(t)) continue;
      const [file, name] = t.split(": ") as [string, string];
      use(join(ROOT, file), name, "(re-export)");
      changed = true;
    }
  }
  for (const [file, mods] of starExports) {
    for (const [k, by] of usedBy) {
      if (!k.startsWith(`${relative(ROOT, file)}: `) || by.size === 0) continue;
      const name = k.slice(k.indexOf(": ") + 2);
      for (const mod of mods) {
        const t = key(mod, name);
        if (exported.has(t) && !isUsed(t)) {
          use(mod, name, "(export *)");
          changed = true;
        }
      }
    }
  }
}

const checked = [...exported.entries()].filter(([k]) => k.startsWith("src/") && !k.startsWith(GENERATED));
// A type that no other file imports but its own file uses (in an exported function's
// parameters, say) is the shape of that file's API: callers may name it. Anything else
// exported and imported nowhere is dead or should not be exported.
const isDead = ([k, e]: [Key, Exported]) => !isUsed(k) && !(e.type && e.usedInFile);
const unused = checked.filter((entry) => isDead(entry) && !(entry[0] in ALLOWED)).map(([k]) => k);
const stale = Object.keys(ALLOWED).filter((k) => !exported.has(k) || !isDead([k, exported.get(k)!]));

if (process.argv.includes("--test-only")) {
  const testOnly = checked
    .filter(([k]) => isUsed(k) && [...(usedBy.get(k) ?? [])].every((by) => by.startsWith("test/")))
    .map(([k]) => `${k}  (${[...usedBy.get(k)!].join(", ")})`);
  console.log(`exports of src/ that only tests import (${testOnly.length}):\n  ${testOnly.join("\n  ")}`);
}

console.log(`${checked.length} exports of hand-written src/ files, ${unused.length} unused`);
for (const k of unused) console.error(`unused export: ${k}`);
for (const k of stale) console.error(`allow-list entry no longer needed (exported and imported, or gone): ${k}`);
process.exitCode = unused.length + stale.length > 0 ? 1 : 0;
