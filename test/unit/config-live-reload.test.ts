// What a reload may change live and what needs a restart; the config file watch reports a change
// once the file has settled, and ignores a file missing for a moment.
import { describe, expect, test } from "bun:test";
import { ConfigWatch } from "../../src/config/config-watch.ts";
import { type ConfigInput, configSchema } from "../../src/config/schema.ts";
import { LiveSettings } from "../../src/live-settings.ts";

const config = (input: ConfigInput = {}) => configSchema.parse(input);
const tls = { cert: "a.pem", key: "a-key.pem" };

describe("LiveSettings.plan", () => {
  test("limits and topic policy are live; ports, backing, the admin body limit need a restart", () => {
    const live = new LiveSettings(config());
    const plan = live.plan(config({
      limits: { maxConnections: 5, maxFrameBytes: 4096, adminBodyBytes: 1024 },
      topicPolicy: { maxPartitionsPerTopic: 3 },
      listener: { port: 7000 },
      backing: { bootstrapServers: ["10.0.0.1:9092"] },
    }));
    expect(plan.applied).toEqual(["limits.maxConnections", "limits.maxFrameBytes", "topicPolicy.maxPartitionsPerTopic"]);
    expect(plan.restartNeeded).toEqual(["backing.bootstrapServers", "limits.adminBodyBytes", "listener.port"]);
    expect(plan.listenerTls).toBeUndefined();
  });

  test("apply takes the live values and keeps the running ones of the rest", () => {
    const live = new LiveSettings(config());
    const next = config({ limits: { maxConnections: 5, adminBodyBytes: 1024 }, listener: { port: 7000 } });
    live.apply(next, live.plan(next));
    expect(live.limits.maxConnections).toBe(5);
    expect(live.limits.adminBodyBytes).toBe(65_536);
    expect(live.running.listener.port).toBe(6969);
    // Reported again next time: the running value still differs from the file.
    expect(live.plan(next).restartNeeded).toEqual(["limits.adminBodyBytes", "listener.port"]);
    expect(live.plan(next).applied).toEqual([]);
  });

  test("listener certificate files change live on a TLS listener; turning TLS on or clientAuth does not", () => {
    const live = new LiveSettings(config({ listener: { tls } }));
    const rotated = live.plan(config({ listener: { tls: { cert: "b.pem", key: "b-key.pem" } } }));
    expect(rotated.applied).toEqual(["listener.tls.cert", "listener.tls.key"]);
    expect(rotated.listenerTls).toMatchObject({ cert: "b.pem", key: "b-key.pem", clientAuth: "none" });
    const auth = live.plan(config({ listener: { tls: { ...tls, ca: "ca.pem", clientAuth: "required" } } }));
    expect(auth.applied).toEqual(["listener.tls.ca"]);
    expect(auth.restartNeeded).toEqual(["listener.tls.clientAuth"]);
    expect(new LiveSettings(config()).plan(config({ listener: { tls } })).restartNeeded).toEqual(["listener.tls"]);
  });
});

describe("ConfigWatch", () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test("one report per burst of changes, after it settles; a vanished file is no change", async () => {
    let stamp: string | undefined = "1";
    let reports = 0;
    const watch = new ConfigWatch({ fileStamp: async () => stamp }, "kgate.yaml", () => reports++, { pollMs: 5, settleMs: 400 });
    await watch.start();
    await sleep(30);
    expect(reports).toBe(0);
    stamp = "2";
    await sleep(15);
    stamp = undefined; // mid-rename
    await sleep(15);
    stamp = "3";
    await sleep(15);
    expect(reports).toBe(0); // still settling
    await sleep(900);
    expect(reports).toBe(1);
    stamp = "4";
    await sleep(900);
    expect(reports).toBe(2);
    watch.stop();
    stamp = "5";
    await sleep(500);
    expect(reports).toBe(2);
  });
});
