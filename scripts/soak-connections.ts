// `bun scripts/soak-connections.ts`: many idle, authenticated vcluster connections held by one kgate
// process, and what they cost: RSS per connection, backing connections opened, and the round trip of
// an active client while they are open. A measurement, not a test (no assertion on the figures).
//
//   SOAK_CONNECTIONS [2000]   idle connections (each: ApiVersions, SaslHandshake, SaslAuthenticate)
//   SOAK_RUNTIMES [bun,deno]  kgate runtimes to measure
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { KafkaConnection } from "../src/client/kafka-connection.ts";
import { defaultMetadataRequest } from "../src/protocol/messages/metadata-request.ts";
import { runtime } from "../src/runtime/index.ts";
import { kafkaBootstrap } from "../test/support/kafka.ts";
import { adminCall, type KgateRuntime, startKgate } from "../test/support/kgate-process.ts";
import { requestFrame } from "../test/support/raw-socket.ts";

const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 2000);
const RUNTIMES = (process.env.SOAK_RUNTIMES ?? "bun,deno").split(",") as KgateRuntime[];

const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;

function frameReader(s: Socket): () => Promise<Buffer> {
  let buf = Buffer.alloc(0);
  let waiter: (() => void) | null = null;
  s.on("data", (b: Buffer) => {
    buf = Buffer.concat([buf, b]);
    waiter?.();
  });
  return async () => {
    for (;;) {
      if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const size = buf.readInt32BE(0);
        const frame = buf.subarray(0, 4 + size);
        buf = buf.subarray(4 + size);
        return frame;
      }
      await new Promise<void>((r) => (waiter = r));
      waiter = null;
    }
  };
}

/** ApiVersions v0, SaslHandshake v1 (PLAIN), SaslAuthenticate v1: an idle, logged-in client. */
async function idleLogin(port: number, username: string, token: string): Promise<Socket> {
  const s = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => s.once("connect", resolve).once("error", reject));
  const next = frameReader(s);
  s.write(requestFrame(18, 0, 1));
  await next();
  const mechanism = Buffer.from("PLAIN");
  const hs = Buffer.alloc(2 + mechanism.length);
  hs.writeInt16BE(mechanism.length, 0);
  mechanism.copy(hs, 2);
  s.write(requestFrame(17, 1, 2, hs));
  await next();
  const auth = Buffer.from(`\0${username}\0${token}`);
  const body = Buffer.alloc(4 + auth.length);
  body.writeInt32BE(auth.length, 0);
  auth.copy(body, 4);
  s.write(requestFrame(36, 1, 3, body));
  const res = await next();
  if (res.readInt16BE(8) !== 0) throw new Error("login failed");
  return s;
}

async function measure(kgateRuntime: KgateRuntime): Promise<void> {
  // One test machine is one address: lift the per-address limit (default 2000) for the soak.
  const kgate = await startKgate({ runtime: kgateRuntime, backing: await kafkaBootstrap(), config: { limits: { maxConnectionsPerAddress: CONNECTIONS + 100 } } });
  const vc = `vc-soak-${Date.now().toString(36)}`;
  await adminCall(kgate, "PUT", `/v1/vclusters/${vc}`);
  const { token } = await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${vc}/tokens`, { username: "soak" });
  const pid = kgate.child.pid!;
  const active = await KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], { sasl: { mechanism: "PLAIN", username: "soak", password: token } });
  const roundTrip = async (n: number) => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await active.request(3, 12, { ...defaultMetadataRequest(), topics: [] });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(n * 0.5)]!, p99: times[Math.floor(n * 0.99)]! };
  };
  const before = rss(pid);
  const rtBefore = await roundTrip(200);
  const sockets: Socket[] = [];
  const t0 = performance.now();
  for (let i = 0; i < CONNECTIONS; i += 100) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, CONNECTIONS - i) }, () => idleLogin(kgate.port, "soak", token)))));
  }
  const loginSeconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 2000));
  const after = rss(pid);
  const rtDuring = await roundTrip(200);
  console.log(
    `[${kgateRuntime}] ${CONNECTIONS} idle logged-in connections (opened in ${loginSeconds.toFixed(1)} s): ` +
      `kgate RSS ${(before / 2 ** 20).toFixed(0)} -> ${(after / 2 ** 20).toFixed(0)} MiB = ${((after - before) / CONNECTIONS / 1024).toFixed(1)} KiB per connection; ` +
      `active client Metadata p50/p99 ${rtBefore.p50.toFixed(2)}/${rtBefore.p99.toFixed(2)} ms before, ` +
      `${rtDuring.p50.toFixed(2)}/${rtDuring.p99.toFixed(2)} ms during`,
  );
  for (const s of sockets) s.destroy();
  active.close();
  await kgate.stop();
}

for (const r of RUNTIMES) await measure(r);
process.exit(0);
