// The doctor's table: one row per check with ✓ (ok), ! (warning), ✗ (failed) or - (skipped), and
// under each problem the fix.
import { formatTable } from "../base/format-table.ts";
import type { CheckResult, CheckStatus } from "./check.ts";

const MARK: Record<CheckStatus, string> = { ok: "✓", warn: "!", fail: "✗", skip: "-" };

export function formatReport(results: readonly CheckResult[]): string {
  const rows = [["", "AREA", "CHECK", "RESULT"], ...results.map((r) => [MARK[r.status], r.area, r.name, r.detail])];
  const table = formatTable(rows).split("\n");
  // The fix goes under the CHECK column, so it reads as part of its row.
  const indent = " ".repeat(table[0]!.indexOf("CHECK"));
  const lines = [table[0]!];
  results.forEach((r, i) => {
    lines.push(table[i + 1]!);
    if (r.fix) lines.push(`${indent}fix: ${r.fix}`);
  });
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  const failed = count("fail");
  lines.push(
    "",
    `${results.length} checks: ${count("ok")} passed, ${count("warn")} warnings, ${failed} failed${count("skip") ? `, ${count("skip")} skipped` : ""}`,
  );
  return lines.join("\n");
}
