// The compat matrix's bookkeeping: a scenario program's STEP lines, the stop at the first
// failure, and a cell that is ✓ only when nothing failed (n/a steps carry their reason).
import { expect, test } from "bun:test";
import { parseSteps } from "../compat/external.ts";
import { cellText, type Matrix, matrixMarkdown } from "../compat/matrix.ts";
import { checkListing, StepRunner } from "../compat/types.ts";

test("STEP lines are read; other output is ignored", () => {
  const out = "SLF4J: noise\nSTEP create-topic ok orders, payments\nSTEP transactions na no transactions here\nSTEP produce fail TimeoutException: boom\n";
  expect(parseSteps(out)).toEqual([
    { step: "create-topic", status: "ok", detail: "orders, payments" },
    { step: "transactions", status: "na", detail: "no transactions here" },
    { step: "produce", status: "fail", detail: "TimeoutException: boom" },
  ]);
});

test("a step runner stops at the first failure", async () => {
  const r = new StepRunner();
  await r.step("a", async () => "fine");
  await r.step("b", async () => {
    throw new Error("broken");
  });
  await r.step("c", async () => "never");
  r.na("d", "never either");
  expect(r.results).toEqual([
    { step: "a", status: "ok", detail: "fine" },
    { step: "b", status: "fail", detail: "Error: broken" },
  ]);
});

test("a cell is ✓ with n/a steps, else the first failure", () => {
  expect(cellText({ steps: [{ step: "a", status: "ok", detail: "" }, { step: "t", status: "na", detail: "why" }], seconds: 1 })).toBe("✓");
  expect(cellText({ steps: [{ step: "a", status: "fail", detail: "x" }, { step: "b", status: "fail", detail: "y" }], seconds: 1 })).toBe("✗ a: x");
  expect(cellText({ unavailable: "no kcat" })).toBe("— (no kcat)");
});

test("inside a vcluster the listing must be exactly the scenario's topics", () => {
  const t = { suffix: "", exactList: true } as Parameters<typeof checkListing>[0];
  expect(checkListing(t, ["payments", "orders"])).toBe("orders,payments");
  expect(() => checkListing(t, ["orders", "payments", "orders-of-the-neighbour"])).toThrow("listed");
  expect(checkListing({ ...t, exactList: false }, ["orders", "payments", "x"])).toBe("orders,payments");
});

test("the markdown shows n/a reasons and never a ✓ for them", async () => {
  const m: Matrix = new Map([[
    "kcat",
    new Map([["bun", { steps: [{ step: "produce", status: "ok", detail: "" }, { step: "transactions", status: "na", detail: "cannot abort" }], seconds: 2 }]]),
  ]]);
  const md = await matrixMarkdown(m, [], ["bun"], "2026-12-01", "npm run compat");
  expect(md).toContain("| kcat | ✓ |");
  expect(md).toContain("n/a transactions (cannot abort)");
  expect(md).not.toContain("✓ transactions");
});
