// The client matrix's fast subset (`npm run compat` runs all of it): kafkajs, kcat and the Java
// 4.4 client each run the whole scenario inside a fresh vcluster of kgate under Bun and Deno —
// create topics, 1,000 idempotent records, consume and commit in a group, describe it, a
// committed and an aborted transaction, list only the tenant's topics — and the backing cluster
// holds the topics and groups under the vcluster's prefix.
import { describe, expect, test } from "bun:test";
import { ALL_CLIENTS } from "../compat/clients/index.ts";
import { cellText, matrixText, runMatrix } from "../compat/matrix.ts";
import { kafkaBootstrap } from "../support/kafka.ts";
import type { KgateRuntime } from "../support/kgate-process.ts";

const FAST = ALL_CLIENTS.filter((c) => c.fast);

test("the fast subset is kafkajs, kcat and Java 4.4", () => {
  expect(FAST.map((c) => c.name).sort()).toEqual(["Java kafka-clients 4.4", "kafkajs 2.2", "kcat (librdkafka)"]);
});

for (const runtime of ["bun", "deno"] as KgateRuntime[]) {
  describe(`client matrix, fast subset (${runtime})`, () => {
    test("every client passes every step it has; n/a steps say why", async () => {
      const matrix = await runMatrix({ backing: await kafkaBootstrap(), clients: FAST, runtimes: [runtime] });
      console.log(matrixText(matrix, [runtime]));
      for (const client of FAST) {
        const cell = matrix.get(client.name)!.get(runtime)!;
        expect(`${client.name}: ${cellText(cell)}`).toBe(`${client.name}: ✓`);
        const steps = "steps" in cell ? cell.steps : [];
        // The scenario ran to its end: the listing and the backing-cluster check are there.
        expect(steps.map((s) => s.step)).toContain("list-topics");
        expect(steps.find((s) => s.step === "backing-prefixed")?.status).toBe("ok");
        for (const s of steps.filter((s) => s.status === "na")) expect(s.detail.length).toBeGreaterThan(10);
      }
      const status = (client: string, step: string) => {
        const cell = matrix.get(client)!.get(runtime)!;
        return "steps" in cell ? cell.steps.find((s) => s.step === step)?.status : undefined;
      };
      // kafkajs and Java really ran both transactions; kcat committed one and says it cannot abort.
      expect(status("kafkajs 2.2", "transactions")).toBe("ok");
      expect(status("Java kafka-clients 4.4", "transactions")).toBe("ok");
      expect(status("kcat (librdkafka)", "transactions (commit only)")).toBe("ok");
      expect(status("kcat (librdkafka)", "transactions")).toBe("na");
    }, 240_000);
  });
}
