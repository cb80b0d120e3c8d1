// The doctor's table: a mark per check, the fix under the CHECK column, a summary line; and the CLI
// lists doctor in its help and completion.
import { describe, expect, test } from "bun:test";
import { commandTree } from "../../src/cli/completion.ts";
import { HELP } from "../../src/cli/help.ts";
import { formatReport } from "../../src/doctor/report.ts";

describe("doctor report", () => {
  test("marks, fixes under their row, summary", () => {
    const text = formatReport([
      { area: "config", name: "configuration", status: "ok", detail: "valid (k.yaml)" },
      { area: "backing", name: "127.0.0.1:1 reachable", status: "fail", detail: "Failed to connect", fix: "start the broker" },
      { area: "backing", name: "auto.create.topics.enable", status: "warn", detail: "true", fix: "set it to false" },
      { area: "store", name: "state topic", status: "skip", detail: "no connection" },
    ]);
    expect(text).toBe([
      "   AREA     CHECK                      RESULT",
      "✓  config   configuration              valid (k.yaml)",
      "✗  backing  127.0.0.1:1 reachable      Failed to connect",
      "            fix: start the broker",
      "!  backing  auto.create.topics.enable  true",
      "            fix: set it to false",
      "-  store    state topic                no connection",
      "",
      "4 checks: 1 passed, 1 warnings, 1 failed, 1 skipped",
    ].join("\n"));
  });

  test("help and completion know the command", () => {
    expect(HELP.main).toContain("doctor [--config FILE]");
    expect(HELP.doctor).toContain("Exits 1 when a check failed");
    expect(commandTree().flags.doctor).toEqual(["--config", "--json", "--help"]);
  });
});
