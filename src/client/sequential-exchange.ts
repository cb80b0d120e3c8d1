// Request/response over a connection one at a time, holding the stream locks only while it
// runs: used for logins, after which the connection is handed on with no bytes left buffered.
import { decodeResponse, encodeRequest } from "../protocol/codec.ts";
import { FrameSplitter } from "../protocol/frames.ts";
import type { Duplex } from "../runtime/types.ts";

export class SequentialExchange {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly splitter: FrameSplitter;
  private readonly ready: Uint8Array[] = [];
  private correlationId = 1;

  constructor(conn: Duplex, private readonly clientId: string, maxFrameBytes = 16 * 1024 * 1024) {
    this.reader = conn.readable.getReader();
    this.writer = conn.writable.getWriter();
    this.splitter = new FrameSplitter(maxFrameBytes);
  }

  async request<Res>(apiKey: number, apiVersion: number, body: unknown): Promise<Res> {
    const correlationId = this.correlationId++;
    for (const chunk of encodeRequest({ apiKey, apiVersion, correlationId, clientId: this.clientId }, body)) {
      await this.writer.write(chunk);
    }
    while (this.ready.length === 0) {
      const { value, done } = await this.reader.read();
      if (done) throw new Error("connection closed while waiting for a response");
      this.splitter.push(value, (f) => this.ready.push(f));
    }
    const frame = this.ready.shift()!;
    const response = decodeResponse<Res>(frame, apiKey, apiVersion);
    if (response.header.correlationId !== correlationId) {
      throw new Error(`correlation id ${response.header.correlationId} does not match ${correlationId}`);
    }
    return response.body;
  }

  /** Gives the streams back to the connection's next user. */
  release(): void {
    this.reader.releaseLock();
    this.writer.releaseLock();
  }
}
