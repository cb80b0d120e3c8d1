// The isolation suite is split into files per concern (test/e2e/vcluster-isolation-*.test.ts);
// each checks it attacked the API keys listed for it. Here: the lists together are every API
// key offered inside a virtual cluster, each in one list, and each list has its file.
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { offeredApiKeys } from "../../src/vcluster/allowed-apis.ts";
import { ISOLATION_COVERAGE } from "../support/isolation/coverage.ts";

test("the isolation files together attack every offered API key, each key in one file", () => {
  const listed: number[] = Object.values(ISOLATION_COVERAGE).flat();
  expect(new Set(listed).size).toBe(listed.length);
  expect([...listed].sort((a, b) => a - b)).toEqual([...offeredApiKeys()].sort((a, b) => a - b));
});

test("every concern of the coverage lists has its isolation test file", () => {
  for (const concern of Object.keys(ISOLATION_COVERAGE)) {
    const file = fileURLToPath(new URL(`../e2e/vcluster-isolation-${concern}.test.ts`, import.meta.url));
    expect(existsSync(file)).toBe(true);
  }
});
