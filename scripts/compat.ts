// `npm run compat`: the client matrix. Every client runs the same scenario inside a fresh vcluster
// of kgate under Bun, Deno and the binary (dist/kgate, when built), and the matrix prints client ×
// runtime with ✓ or the first error. Then the capture pass runs every client against a recording
// relay in front of the broker and checks every frame decodes and re-encodes byte-exactly.
//
//   npm run compat                               everything
//   npm run compat -- --markdown                 also writes .tmp/compat/matrix.md (for the README)
//   npm run compat -- --clients kafkajs,kcat     only clients whose name contains one of these
//   npm run compat -- --runtimes bun,deno        only these runtimes
//   npm run compat -- --no-capture | --capture-only
//
// Broker: KAFKA_BOOTSTRAP (PLAINTEXT) and KAFKA_SASL_BOOTSTRAP (SASL_PLAINTEXT, admin/admin-secret),
// else scripts/kafka.sh's 127.0.0.1:9092 and :9094 (started when needed).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ALL_CLIENTS } from "../test/compat/clients/index.ts";
import { byteExactReport } from "../test/compat/byte-exact.ts";
import { COMPAT_DIR } from "../test/compat/jars.ts";
import { matrixMarkdown, matrixText, runCapture, runMatrix } from "../test/compat/matrix.ts";
import type { KgateRuntime } from "../test/support/kgate-process.ts";
import { kafkaBootstrap, SASL_BOOTSTRAP } from "../test/support/kafka.ts";

const args = process.argv.slice(2);
const valueOf = (flag: string) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const clientFilter = valueOf("--clients")?.toLowerCase().split(",");
const runtimes = (valueOf("--runtimes")?.split(",") ?? ["bun", "deno", "binary"]) as KgateRuntime[];
const clients = ALL_CLIENTS.filter((c) => !clientFilter || clientFilter.some((f) => c.name.toLowerCase().includes(f)));
const log = (line: string) => console.log(`[compat] ${line}`);

const backing = await kafkaBootstrap();
let failed = false;
let markdown = "";

if (!args.includes("--capture-only")) {
  const matrix = await runMatrix({ backing, clients, runtimes, log });
  console.log(`\n${matrixText(matrix, runtimes)}\n`);
  markdown = await matrixMarkdown(matrix, clients, runtimes, new Date().toISOString().slice(0, 10), "npm run compat");
  failed ||= [...matrix.values()].some((cells) => [...cells.values()].some((c) => "steps" in c && c.steps.some((s) => s.status === "fail")));
}

if (!args.includes("--no-capture")) {
  const [host, port] = SASL_BOOTSTRAP.split(":");
  const capture = await runCapture({ saslBackingHost: host!, saslBackingPort: Number(port), clients, log });
  const report = byteExactReport(capture.exchanges);
  console.log(`\nbyte-exact: ${report.frames} frames, ${report.pairs.length} distinct (API, version) pairs decoded and re-encoded byte-exactly`);
  console.log(report.pairs.join(", "));
  if (report.mismatches.length) {
    failed = true;
    console.log(`NOT byte-exact (${report.mismatches.length}): ${report.mismatches.slice(0, 20).join("; ")}`);
  }
  markdown +=
    `\nByte-exact (the capture pass: every client above against a recording relay in front of the broker's SASL listener): ${report.frames} frames, **${report.pairs.length} distinct (API, version) pairs** decoded and re-encoded to the identical bytes${
      report.mismatches.length ? `, ${report.mismatches.length} NOT` : ""
    }: ${report.pairs.join(", ")}.\n`;
}

if (args.includes("--markdown")) {
  mkdirSync(COMPAT_DIR, { recursive: true });
  writeFileSync(join(COMPAT_DIR, "matrix.md"), markdown);
  log(`wrote ${join(COMPAT_DIR, "matrix.md")}`);
}

process.exitCode = failed ? 1 : 0;
