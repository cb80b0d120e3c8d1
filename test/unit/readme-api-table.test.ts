// The README's API table is what `npm run gen:api-table` makes from the code, and the code gives
// every API key of the pinned Kafka version either an offer or a reason for refusing it.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { API_LIST } from "../../src/protocol/registry.ts";
import { HANDLING_NOTES, offeredApiKeys, offeredVersions, REFUSED_BECAUSE } from "../../src/vcluster/allowed-apis.ts";
import { apiTable, withApiTable } from "../../scripts/gen-api-table.ts";

describe("README API table", () => {
  test("the README block is up to date (run `npm run gen:api-table`)", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(withApiTable(readme)).toBe(readme);
  });

  test("every API key is offered or refused with a reason, never both", () => {
    const unexplained = API_LIST.filter((s) => offeredVersions(s.apiKey) === null && !REFUSED_BECAUSE.has(s.apiKey)).map((s) => s.name);
    expect(unexplained).toEqual([]);
    const both = API_LIST.filter((s) => offeredVersions(s.apiKey) !== null && REFUSED_BECAUSE.has(s.apiKey)).map((s) => s.name);
    expect(both).toEqual([]);
  });

  test("reasons and notes name real API keys; notes only for offered ones", () => {
    const known = new Set(API_LIST.map((s) => s.apiKey));
    expect([...REFUSED_BECAUSE.keys()].filter((k) => !known.has(k))).toEqual([]);
    const offered = new Set(offeredApiKeys());
    expect([...HANDLING_NOTES.keys()].filter((k) => !offered.has(k))).toEqual([]);
  });

  test("the table has one row per API key", () => {
    const rows = apiTable().split("\n").filter((l) => /^\| \d+ \|/.test(l));
    expect(rows.length).toBe(API_LIST.length);
    expect(rows.filter((r) => r.includes("| offered |")).length).toBe(API_LIST.filter((s) => offeredVersions(s.apiKey) !== null).length);
  });
});
