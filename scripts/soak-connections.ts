// `npm run soak`: many idle, authenticated vcluster connections held by one kgate process next
// to active ones, and what they cost: RSS per connection, backing connections opened, errors, and
// the round trip of a measured active client while they are open; then a connection storm (many
// logins at once). Besides the figures it checks what must hold whatever the machine's speed,
// and ends with `N passed, N failed` (exit 1 on a failure): every login succeeds and no request
// fails, an idle connection costs at most 50 KiB of RSS, idle and stormed logins open no backing
// connection, the storm is absorbed under limits.maxConnections. Timings are printed, never checked
// (.ci/run runs this when CI's time allows).
//
//   SOAK_CONNECTIONS [10000]  idle connections (each: ApiVersions, SaslHandshake, SaslAuthenticate)
//   SOAK_ACTIVE [1000]        active connections, each a Metadata request per second
//   SOAK_STORM [2000]         connections opened at once after the others are closed
//   SOAK_RUNTIMES [bun,deno]  kgate runtimes to measure
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { KafkaConnection } from "../src/client/kafka-connection.ts";
import { defaultMetadataRequest } from "../src/protocol/messages/metadata-request.ts";
import { runtime } from "../src/runtime/index.ts";
import { kafkaBootstrap } from "../test/support/kafka.ts";
import { adminCall, type KgateRuntime, startKgate } from "../test/support/kgate-process.ts";
import { requestFrame } from "../test/support/raw-socket.ts";

const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 10_000);
const ACTIVE = Number(process.env.SOAK_ACTIVE ?? 1000);
const STORM = Number(process.env.SOAK_STORM ?? 2000);
const RUNTIMES = (process.env.SOAK_RUNTIMES ?? "bun,deno").split(",") as KgateRuntime[];

/** Established TCP connections of `pid` to `port` (its backing connections), from /proc. */
function connectionsTo(pid: number, port: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  let n = 0;
  for (const table of ["tcp", "tcp6"]) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === "01" && f[2]!.endsWith(`:${hexPort}`) && inodes.has(f[9]!)) n++;
    }
  }
  return n;
}

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

/** Idle connections may cost this much RSS each (issue 14's goal: <= 50 KB). */
const MAX_IDLE_KIB_PER_CONNECTION = 50;

const results = { passed: 0, failed: 0 };
function check(runtimeName: string, what: string, ok: boolean, detail: string): void {
  if (ok) results.passed++;
  else results.failed++;
  console.log(`[${runtimeName}] ${ok ? "ok  " : "FAIL"} ${what}: ${detail}`);
}

async function measure(kgateRuntime: KgateRuntime): Promise<void> {
  // One test machine is one address: lift the per-address limit (default 2000) for the soak.
  const limit = CONNECTIONS + ACTIVE + STORM + 100;
  const backing = await kafkaBootstrap();
  const backingPort = Number(backing.split(",")[0]!.split(":").pop());
  const kgate = await startKgate({
    runtime: kgateRuntime,
    backing,
    config: { limits: { maxConnectionsPerAddress: limit, maxConnections: limit } },
  });
  const vc = `vc-soak-${Date.now().toString(36)}`;
  await adminCall(kgate, "PUT", `/v1/vclusters/${vc}`);
  const { token } = await adminCall<{ token: string }>(kgate, "POST", `/v1/vclusters/${vc}/tokens`, { username: "soak" });
  const pid = kgate.child.pid!;
  const login = () =>
    KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], { sasl: { mechanism: "PLAIN", username: "soak", password: token } });
  const metadata = (c: KafkaConnection) => c.request(3, 12, { ...defaultMetadataRequest(), topics: [] });
  const measured = await login();
  const roundTrip = async (n: number) => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await metadata(measured);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(n * 0.5)]!, p99: times[Math.floor(n * 0.99)]! };
  };
  const ms = (r: { p50: number; p99: number }) => `${r.p50.toFixed(2)}/${r.p99.toFixed(2)} ms`;
  const before = rss(pid);
  const rtBefore = await roundTrip(300);
  // kgate's own backing connection (lookups) and the measured client's: what is open before the others.
  const baseBacking = connectionsTo(pid, backingPort);

  let errors = 0;
  const firstErrors: string[] = [];
  const failed = (e: unknown) => {
    errors++;
    if (firstErrors.length < 3) firstErrors.push(e instanceof Error ? e.message : String(e));
  };
  const sockets: Socket[] = [];
  const t0 = performance.now();
  for (let i = 0; i < CONNECTIONS; i += 100) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(100, CONNECTIONS - i) }, () => idleLogin(kgate.port, "soak", token)));
    for (const r of batch) r.status === "fulfilled" ? sockets.push(r.value) : failed(r.reason);
  }
  const loginSeconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 2000));
  const idleRss = rss(pid);
  const idleBacking = connectionsTo(pid, backingPort);

  // Active clients: each logs in, then sends a Metadata request once a second, spread out.
  const active: KafkaConnection[] = [];
  for (let i = 0; i < ACTIVE; i += 100) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(100, ACTIVE - i) }, login));
    for (const r of batch) r.status === "fulfilled" ? active.push(r.value) : failed(r.reason);
  }
  let activeRequests = 0;
  const timers = active.map((c, i) =>
    setTimeout(() => {
      const tick = () => metadata(c).then(() => activeRequests++, failed);
      tick();
      timers[i] = setInterval(tick, 1000) as unknown as ReturnType<typeof setTimeout>;
    }, (i * 1000) / Math.max(1, active.length))
  );
  await new Promise((r) => setTimeout(r, 3000));
  const rtDuring = await roundTrip(300);
  const loadedRss = rss(pid);
  const loadedBacking = connectionsTo(pid, backingPort);
  for (const t of timers) clearInterval(t);
  console.log(
    `[${kgateRuntime}] ${sockets.length} idle logged-in connections (opened in ${loginSeconds.toFixed(1)} s): ` +
      `kgate RSS ${(before / 2 ** 20).toFixed(0)} -> ${(idleRss / 2 ** 20).toFixed(0)} MiB = ${
        ((idleRss - before) / Math.max(1, sockets.length) / 1024).toFixed(1)
      } KiB per idle connection, ` +
      `${idleBacking} backing connection(s) while idle`,
  );
  console.log(
    `[${kgateRuntime}] + ${active.length} active (1 Metadata/s each, ${activeRequests} answered): RSS ${(loadedRss / 2 ** 20).toFixed(0)} MiB, ` +
      `${loadedBacking} backing connection(s); measured client Metadata p50/p99 ${ms(rtBefore)} alone, ${ms(rtDuring)} with the others; ` +
      `errors ${errors}${firstErrors.length ? ` (${firstErrors.join("; ")})` : ""}`,
  );
  const idleKib = (idleRss - before) / Math.max(1, sockets.length) / 1024;
  check(kgateRuntime, "every idle login succeeded", sockets.length === CONNECTIONS, `${sockets.length} of ${CONNECTIONS}`);
  check(
    kgateRuntime,
    "every active client logged in and was answered",
    active.length === ACTIVE && errors === 0,
    `${active.length} of ${ACTIVE}, ${errors} errors`,
  );
  check(kgateRuntime, `RSS per idle connection <= ${MAX_IDLE_KIB_PER_CONNECTION} KiB`, idleKib <= MAX_IDLE_KIB_PER_CONNECTION, `${idleKib.toFixed(1)} KiB`);
  check(kgateRuntime, "idle logged-in clients open no backing connection", idleBacking <= baseBacking, `${baseBacking} -> ${idleBacking}`);
  check(
    kgateRuntime,
    "active clients open at most one backing connection each",
    loadedBacking <= baseBacking + active.length,
    `${baseBacking} -> ${loadedBacking} for ${active.length} active clients`,
  );
  if (errors > 0) {
    const lines = kgate.logs().split("\n").filter((l) => /warn|error|clos/i.test(l));
    console.log(`[${kgateRuntime}] kgate's log on errors (${lines.length} lines, first 10):\n${lines.slice(0, 10).join("\n")}`);
  }
  for (const s of sockets) s.destroy();
  for (const c of active) c.close();
  await new Promise((r) => setTimeout(r, 2000));

  // Storm: STORM logins started at once; each then sends one Metadata request (a backing connection each).
  errors = 0;
  firstErrors.length = 0;
  const backingBefore = connectionsTo(pid, backingPort);
  const s0 = performance.now();
  const storm = await Promise.allSettled(Array.from({ length: STORM }, () => idleLogin(kgate.port, "soak", token)));
  const stormSeconds = (performance.now() - s0) / 1000;
  const stormed = storm.flatMap((r) => (r.status === "fulfilled" ? [r.value] : (failed(r.reason), [])));
  await new Promise((r) => setTimeout(r, 1000));
  console.log(
    `[${kgateRuntime}] storm: ${STORM} logins at once, ${stormed.length} succeeded in ${stormSeconds.toFixed(2)} s, ${errors} refused` +
      `${firstErrors.length ? ` (${firstErrors.join("; ")})` : ""}; backing connections ${backingBefore} -> ${connectionsTo(pid, backingPort)} ` +
      `(idle logged-in clients open none until they send a request)`,
  );
  const backingAfter = connectionsTo(pid, backingPort);
  check(
    kgateRuntime,
    `a storm of ${STORM} logins is absorbed under limits.maxConnections`,
    stormed.length === STORM,
    `${stormed.length} succeeded, ${errors} refused`,
  );
  check(kgateRuntime, "stormed logins open no backing connection", backingAfter <= backingBefore, `${backingBefore} -> ${backingAfter}`);
  for (const s of stormed) s.destroy();
  measured.close();
  await kgate.stop();
}

for (const r of RUNTIMES) await measure(r);
console.log(`\n${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
