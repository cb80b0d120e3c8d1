// The README's admin API examples run as written (with kgate's test address and token), and the
// configuration example in the README is a valid config.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parseConfigObject } from "../../src/config/load-config.ts";
import { kafkaBootstrap, REPO_ROOT } from "../support/kafka.ts";
import { type KgateProcess, startKgate } from "../support/kgate-process.ts";

const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

function section(title: string): string {
  const start = readme.indexOf(`## ${title}`);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

function codeBlocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
}

let kgate: KgateProcess;
beforeAll(async () => {
  kgate = await startKgate({ backing: await kafkaBootstrap() });
});
afterAll(async () => {
  await kgate.stop();
});

test("the admin API curl examples work as written", () => {
  const block = codeBlocks(section("Admin API"), "sh")[0]!;
  const adminHostPort = kgate.adminUrl.replace("http://", "");
  const lines = block.split("\n").filter((l) => l.startsWith("ADMIN=") || l.startsWith("curl"));
  expect(lines.length).toBeGreaterThanOrEqual(8);
  const outputs: string[] = [];
  let jti = "";
  for (const raw of lines) {
    // Comments after the command are for readers; the address is the test kgate's.
    const line = raw.replace(/\s+#.*$/, "").replaceAll("localhost:8888", adminHostPort);
    const script = `ADMIN="Authorization: Bearer ${kgate.adminToken}"; JTI=${jti}; ${line.startsWith("ADMIN=") ? "true" : `${line} -sS -w '\\n%{http_code}'`}`;
    const r = spawnSync("bash", ["-c", script], { env: { ...process.env, KGATE_ADMIN_TOKEN: kgate.adminToken }, encoding: "utf8" });
    if (line.startsWith("ADMIN=")) continue;
    const status = Number(r.stdout.trim().split("\n").at(-1));
    outputs.push(`${status} ${line}`);
    expect(status, `${line}\n${r.stdout}${r.stderr}`).toBeLessThan(300);
    const issued = /"jti":"([^"]+)"/.exec(r.stdout);
    if (issued) jti = issued[1]!;
  }
  expect(jti).not.toBe("");
  expect(outputs.some((o) => o.includes("/metrics"))).toBe(true);
});

test("the README's configuration example is a valid config", () => {
  const yamlText = codeBlocks(section("Configuration"), "yaml")[0]!;
  const config = parseConfigObject(parse(yamlText), () => "a-long-enough-secret-for-hs256-signing-0123", "README.md");
  expect(config.listener.port).toBe(6969);
  expect(config.vclusters.map((v) => v.name)).toContain("vc-alice");
});

test("every YAML example of the README's configuration section is a valid config (TLS one included)", () => {
  const blocks = codeBlocks(section("Configuration"), "yaml");
  expect(blocks.length).toBeGreaterThanOrEqual(2);
  for (const yamlText of blocks) parseConfigObject(parse(yamlText), () => "a-long-enough-secret-for-hs256-signing-0123", "README.md");
  const tls = parseConfigObject(parse(blocks.find((b) => b.includes("clientAuth"))!), () => "a-long-enough-secret-for-hs256-signing-0123", "README.md");
  expect(tls.listener.tls?.clientAuth).toBe("requested");
  expect(tls.auth.certificates).toHaveLength(2);
});
