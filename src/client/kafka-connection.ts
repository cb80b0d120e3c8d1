// kgate's own Kafka client connection: pipelined requests over one connection, responses
// matched by correlation id. Used by the Kafka-backed store and by the data plane's lookups.
import { decodeResponse, encodeRequest } from "../protocol/codec.ts";
import { FrameSplitter } from "../protocol/frames.ts";
import type { ApiKey, RequestOf, ResponseOf } from "../protocol/messages/api-keys.ts";
import type { Duplex, Runtime, TlsClientOptions } from "../runtime/types.ts";
import type { BackingAddress } from "./backing-address.ts";
import { connectUpstream } from "./upstream.ts";
import type { SaslCredentials } from "./sasl-login.ts";

interface Pending {
  apiKey: number;
  apiVersion: number;
  resolve(body: unknown): void;
  reject(e: Error): void;
}

export class KafkaConnection {
  private readonly pending = new Map<number, Pending>();
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private nextCorrelationId = 1;
  private failure: Error | null = null;

  private constructor(private readonly conn: Duplex, private readonly clientId: string) {
    this.writer = conn.writable.getWriter();
    this.writer.closed.catch(() => {});
    void this.readLoop();
  }

  static async open(
    runtime: Runtime,
    addresses: readonly BackingAddress[],
    options: { sasl?: SaslCredentials; tls?: TlsClientOptions; clientId?: string } = {},
  ): Promise<KafkaConnection> {
    const clientId = options.clientId ?? "kgate";
    const conn = await connectUpstream(addresses, { runtime, sasl: options.sasl, tls: options.tls, clientId });
    return new KafkaConnection(conn, clientId);
  }

  get closed(): boolean {
    return this.failure !== null;
  }

  /** Sends a typed request (a misspelt or missing field is a compile error) and resolves to its response. */
  request<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestOf<K>): Promise<ResponseOf<K>> {
    return this.requestUntyped<ResponseOf<K>>(apiKey, apiVersion, body);
  }

  /**
   * The same for a key known only at run time (a lookup on behalf of a client, a test sending
   * what a hostile client would): the encoder still refuses missing fields.
   */
  requestUntyped<Res = unknown>(apiKey: number, apiVersion: number, body: unknown): Promise<Res> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelationId++;
    let frame: Uint8Array[];
    try {
      frame = encodeRequest({ apiKey, apiVersion, correlationId, clientId: this.clientId }, body);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<Res>((resolve, reject) => {
      this.pending.set(correlationId, { apiKey, apiVersion, resolve: resolve as (b: unknown) => void, reject });
      for (const chunk of frame) this.writer.write(chunk).catch((e) => this.fail(e));
    });
  }

  close(): void {
    this.fail(new Error("connection closed"));
  }

  private async readLoop(): Promise<void> {
    const reader = this.conn.readable.getReader();
    const splitter = new FrameSplitter(256 * 1024 * 1024);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        splitter.push(value, (frame) => this.deliver(frame));
      }
      this.fail(new Error("broker closed the connection"));
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private deliver(frame: Uint8Array): void {
    const correlationId = new DataView(frame.buffer, frame.byteOffset).getInt32(4);
    const p = this.pending.get(correlationId);
    if (!p) throw new Error(`response for unknown correlation id ${correlationId}`);
    this.pending.delete(correlationId);
    try {
      p.resolve(decodeResponse(frame, p.apiKey, p.apiVersion).body);
    } catch (e) {
      p.reject(e as Error);
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.conn.close();
  }
}
