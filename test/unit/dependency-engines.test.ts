// A newcomer's `npm ci` prints no EBADENGINE warning: every locked package admits the oldest
// Node that package.json's `engines` supports (the machine kgate is developed on runs Node 20).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const readJson = (name: string) => JSON.parse(readFileSync(join(ROOT, name), "utf8"));

describe("dependency engines", () => {
  const oldestNode = /^>=\s*(\d+\.\d+\.\d+)$/.exec(readJson("package.json").engines.node)?.[1];

  test("package.json names the oldest supported Node as >=X.Y.Z", () => {
    expect(oldestNode).toMatch(/^20\./);
  });

  test("every package in package-lock.json admits that Node", () => {
    const packages: Record<string, { engines?: { node?: string } }> = readJson("package-lock.json").packages;
    const refusing = Object.entries(packages)
      .filter(([, meta]) => meta.engines?.node && !Bun.semver.satisfies(oldestNode!, meta.engines.node))
      .map(([path, meta]) => `${path} (${meta.engines!.node})`);
    expect(refusing).toEqual([]);
  });

  test("install scripts are reviewed: every package with one has an allowScripts entry", () => {
    const allow: Record<string, boolean> = readJson("package.json").allowScripts ?? {};
    const packages: Record<string, { hasInstallScript?: boolean }> = readJson("package-lock.json").packages;
    const unreviewed = Object.entries(packages)
      .filter(([path, meta]) => path && meta.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length))
      .filter((name) => !(name in allow));
    expect(unreviewed).toEqual([]);
  });
});
