// A small recording TCP relay in front of a real broker: it keeps every request and response
// frame exactly as it crossed the wire. Broker addresses in Metadata, FindCoordinator and
// DescribeCluster responses are pointed at the relay so clients stay on it; the recorded frame is
// the broker's original.
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { decodeResponse, encodeResponse } from "../../src/protocol/codec.ts";
import { FrameSplitter } from "../../src/protocol/frames.ts";
import { peekRequest } from "../../src/protocol/headers.ts";
import { concatBytes } from "../../src/protocol/wire.ts";

export interface CapturedExchange {
  apiKey: number;
  apiVersion: number;
  request: Uint8Array;
  response?: Uint8Array;
}

const ADDRESS_APIS = new Set([3, 10, 60]);

export class RecordingRelay {
  readonly exchanges: CapturedExchange[] = [];
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly brokerHost: string, private readonly brokerPort: number) {}

  async start(): Promise<void> {
    this.server = createServer((client) => this.relay(client));
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const broker = createConnection({ host: this.brokerHost, port: this.brokerPort });
    this.sockets.add(client).add(broker);
    const inFlight: CapturedExchange[] = [];
    const requests = new FrameSplitter();
    const responses = new FrameSplitter();
    // After SaslHandshake v0 the client sends one SASL token in a bare size-prefixed frame, and
    // the broker answers likewise: neither is a Kafka request or response.
    let unframedTokens = 0;
    let unframedAnswers = 0;
    client.on("data", (chunk: Buffer) => {
      requests.push(new Uint8Array(chunk), (frame) => {
        if (unframedTokens > 0) {
          unframedTokens--;
          unframedAnswers++;
          return;
        }
        const copy = frame.slice();
        const head = peekRequest(copy);
        if (head.apiKey === 17 && head.apiVersion === 0) unframedTokens++;
        const ex: CapturedExchange = { apiKey: head.apiKey, apiVersion: head.apiVersion, request: copy };
        this.exchanges.push(ex);
        inFlight.push(ex);
      });
      broker.write(chunk);
    });
    broker.on("data", (chunk: Buffer) => {
      responses.push(new Uint8Array(chunk), (frame) => {
        const copy = frame.slice();
        if (unframedAnswers > 0 && inFlight.length === 0) {
          unframedAnswers--;
          client.write(copy);
          return;
        }
        const corr = new DataView(copy.buffer).getInt32(4);
        const i = inFlight.findIndex((e) => new DataView(e.request.buffer).getInt32(8) === corr);
        const ex = i >= 0 ? inFlight.splice(i, 1)[0]! : undefined;
        if (ex) ex.response = copy;
        client.write(ex && ADDRESS_APIS.has(ex.apiKey) ? this.pointAtRelay(copy, ex) : copy);
      });
    });
    const end = () => {
      client.destroy();
      broker.destroy();
      this.sockets.delete(client);
      this.sockets.delete(broker);
    };
    client.on("close", end).on("error", end);
    broker.on("close", end).on("error", end);
  }

  private pointAtRelay(frame: Uint8Array, ex: CapturedExchange): Uint8Array {
    const { header, body } = decodeResponse<Record<string, unknown>>(frame, ex.apiKey, ex.apiVersion);
    const fix = (o: Record<string, unknown>) => {
      if (o.port === this.brokerPort) o.port = this.port;
    };
    fix(body);
    for (const key of ["brokers", "coordinators"]) {
      const list = body[key];
      if (Array.isArray(list)) list.forEach(fix);
    }
    return concatBytes(encodeResponse(ex.apiKey, ex.apiVersion, header, body));
  }
}
