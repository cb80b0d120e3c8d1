// The committed codecs are exactly what the generator makes from the vendored Kafka specs
// (vendor/kafka-<version>/): no Maven, no network.
import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../scripts/gen-protocol.ts";

test("regenerating src/protocol/messages yields identical files", () => {
  const dir = mkdtempSync(join(tmpdir(), "kgate-gen-"));
  try {
    const files = generate(dir).sort();
    const committed = readdirSync("src/protocol/messages").filter((f) => f.endsWith(".ts")).sort();
    expect(committed).toEqual(files);
    for (const f of files) {
      expect(readFileSync(join("src/protocol/messages", f), "utf8")).toBe(readFileSync(join(dir, f), "utf8"));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
