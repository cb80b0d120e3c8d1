// Runs the scenario tables of test/unit/scenarios/<api>/cases.ts through the real vcluster
// policy (see test/support/scenario.ts), and checks that every API a vcluster offers has a
// table whose cases reach its lowest and its highest offered version.
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { apiSpec } from "../../src/protocol/registry.ts";
import { offeredApiKeys, offeredVersions } from "../../src/vcluster/allowed-apis.ts";
import { runScenario, type Scenario } from "../support/scenario.ts";

const DIR = join(import.meta.dir, "scenarios");
const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

// deno-lint-ignore no-explicit-any
type AnyScenario = Scenario<any>;
const tables = new Map<string, readonly AnyScenario[]>();
for (const dir of readdirSync(DIR).sort()) {
  const mod = (await import(join(DIR, dir, "cases.ts"))) as { default: readonly AnyScenario[] };
  tables.set(dir, mod.default);
}

for (const [dir, cases] of tables) {
  describe(dir, () => {
    for (const s of cases) {
      for (const v of s.versions) {
        test(`${s.name} (v${v})`, async () => {
          expect(kebab(apiSpec(s.apiKey)!.name)).toBe(dir);
          await runScenario(s, v);
        });
      }
    }
  });
}

test("every API offered in a vcluster has scenarios at its lowest and highest offered version", () => {
  const missing: string[] = [];
  for (const apiKey of offeredApiKeys()) {
    const name = apiSpec(apiKey)!.name;
    const offered = offeredVersions(apiKey)!;
    const versions = new Set((tables.get(kebab(name)) ?? []).filter((s) => s.apiKey === apiKey).flatMap((s) => s.versions));
    for (const v of [offered.min, offered.max]) if (!versions.has(v)) missing.push(`${name} v${v}`);
  }
  expect(missing).toEqual([]);
});
