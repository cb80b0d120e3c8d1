// log.format: logfmt text by default, JSON Lines on request, with a connection's fields flattened.
import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { configSchema } from "../../src/config/schema.ts";
import { configureLogging, connectionFields, getLogger } from "../../src/base/log.ts";

function captureStderr(run: () => void): string[] {
  const spy = spyOn(console, "error").mockImplementation(() => {});
  try {
    run();
    return spy.mock.calls.map((args) => String(args[0]));
  } finally {
    spy.mockRestore();
  }
}

describe("log format", () => {
  afterEach(() => configureLogging("info"));

  test("json: one JSON object per line with the connection, vcluster and principal at the top", () => {
    configureLogging("info", "json");
    const [line] = captureStderr(() =>
      getLogger("gateway").info("connection {connection} closed", { ...connectionFields(7, { view: "alice", principal: "svc" }), reason: "bye" })
    );
    const parsed = JSON.parse(line!);
    expect(parsed).toMatchObject({
      level: "INFO",
      logger: "kgate.gateway",
      message: "connection 7 closed",
      connection: 7,
      vcluster: "alice",
      principal: "svc",
      reason: "bye",
    });
    expect(Number.isNaN(Date.parse(parsed["@timestamp"]))).toBe(false);
  });

  test("json: a property named like a line key does not replace it", () => {
    configureLogging("info", "json");
    const [line] = captureStderr(() => getLogger("vcluster").info("connection {connection}: {message}", { connection: 1, message: "hi" }));
    expect(JSON.parse(line!)).toMatchObject({ message: "connection 1: hi", message_: "hi", logger: "kgate.vcluster" });
  });

  test("text (the default): logfmt with the same fields", () => {
    configureLogging("info");
    const [line] = captureStderr(() => getLogger("gateway").info("connection {connection} opened", { ...connectionFields(3) }));
    expect(line).toContain('msg="connection 3 opened"');
    expect(line).toContain("connection=3");
    expect(() => JSON.parse(line!)).toThrow();
  });

  test("connectionFields leaves out what is not known yet", () => {
    expect(connectionFields(1, { view: null })).toEqual({ connection: 1 });
    expect(connectionFields(2, { view: "passthrough" })).toEqual({ connection: 2, vcluster: "passthrough" });
  });

  test("config: log.format is text by default, json on request, anything else refused", () => {
    expect(configSchema.parse({}).log.format).toBe("text");
    expect(configSchema.parse({ log: { format: "json" } }).log.format).toBe("json");
    expect(configSchema.safeParse({ log: { format: "xml" } }).success).toBe(false);
  });
});
