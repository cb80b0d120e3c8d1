// Forwarding micro-benchmark for the runtime adapters. Runs under either runtime:
//   npx bun scripts/bench-forward.ts [--gib 1] [--rounds 3]
//   npx deno run -A scripts/bench-forward.ts [--gib 1] [--rounds 3]
// Three processes, like client → kgate → broker: this one is the source, a child is the sink,
// another child is a plain forwarder built on the adapter (scripts/lib/byte-relay.ts: listen →
// connect → copy both ways). Each round streams the same bytes source → sink directly and through the forwarder;
// the sink answers with the byte count after the source's FIN, so both directions and the
// half-close are part of the measurement. Prints MiB/s and the ratio to direct.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runtime } from "../src/runtime/index.ts";
import { startByteRelay } from "./lib/byte-relay.ts";

const HOST = "127.0.0.1";
const SOURCE_CHUNK_BYTES = 256 * 1024;

function option(name: string, fallback: string): string {
  const args = runtime.args();
  const at = args.indexOf(`--${name}`);
  return at >= 0 && at + 1 < args.length ? args[at + 1]! : fallback;
}

/** Sink: counts bytes until FIN, then answers the count as 8 bytes and closes. */
async function runSink(): Promise<void> {
  const listener = await runtime.listen({ host: HOST, port: 0 }, async (conn) => {
    let total = 0;
    const reader = conn.readable.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) total += r.value.byteLength;
    const answer = new Uint8Array(8);
    new DataView(answer.buffer).setBigUint64(0, BigInt(total));
    const writer = conn.writable.getWriter();
    await writer.write(answer);
    await writer.close();
  });
  console.log(`PORT ${listener.port}`);
}

/** Forwarder: the adapter's bytes relayed, no parsing; what a kgate session costs at the least. */
async function runForwarder(upstreamPort: number): Promise<void> {
  console.log(`PORT ${await startByteRelay(0, upstreamPort, HOST)}`);
}

function startChild(role: string, extra: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(import.meta.url);
  const args = runtime.name === "bun" ? [script] : ["run", "-A", script];
  const child = spawn(process.execPath, [...args, "--role", role, ...extra], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (data: Uint8Array) => {
      output += new TextDecoder().decode(data);
      const match = /PORT (\d+)/.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on("exit", (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

/** Streams `bytes` to `port`, waits for the sink's count; returns MiB/s. */
async function streamOnce(port: number, bytes: number): Promise<number> {
  const chunk = new Uint8Array(SOURCE_CHUNK_BYTES).fill(0x5a);
  const started = performance.now();
  const conn = await runtime.connect({ host: HOST, port });
  const answer = (async () => {
    const parts: Uint8Array[] = [];
    const reader = conn.readable.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
    const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let offset = 0;
    for (const p of parts) (all.set(p, offset), (offset += p.byteLength));
    return Number(new DataView(all.buffer).getBigUint64(0));
  })();
  const writer = conn.writable.getWriter();
  for (let sent = 0; sent < bytes; sent += SOURCE_CHUNK_BYTES) {
    await writer.ready;
    writer.write(sent + SOURCE_CHUNK_BYTES <= bytes ? chunk : chunk.subarray(0, bytes - sent));
  }
  await writer.close();
  const counted = await answer;
  const seconds = (performance.now() - started) / 1000;
  if (counted !== bytes) throw new Error(`sink counted ${counted} of ${bytes} bytes`);
  return bytes / (1024 * 1024) / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function runMain(): Promise<void> {
  const bytes = Math.round(Number(option("gib", "1")) * 1024 ** 3);
  const rounds = Number(option("rounds", "3"));
  const sink = await startChild("sink");
  const forwarder = await startChild("forward", ["--upstream", String(sink.port)]);
  try {
    await streamOnce(sink.port, 64 << 20); // warm-up both paths (JIT, TCP buffers)
    await streamOnce(forwarder.port, 64 << 20);
    const direct: number[] = [];
    const forwarded: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      direct.push(await streamOnce(sink.port, bytes));
      forwarded.push(await streamOnce(forwarder.port, bytes));
      console.log(`round ${round}: direct ${direct.at(-1)!.toFixed(0)} MiB/s, forwarded ${forwarded.at(-1)!.toFixed(0)} MiB/s`);
    }
    const d = median(direct);
    const f = median(forwarded);
    console.log(
      `${runtime.name}: ${(bytes / 1024 ** 3).toFixed(2)} GiB x ${rounds}, median direct ${d.toFixed(0)} MiB/s, ` +
        `forwarded ${f.toFixed(0)} MiB/s, ratio ${(f / d).toFixed(2)}`,
    );
  } finally {
    sink.child.kill();
    forwarder.child.kill();
  }
  runtime.exit(0);
}

const role = option("role", "main");
if (role === "sink") await runSink();
else if (role === "forward") await runForwarder(Number(option("upstream", "0")));
else await runMain();
