// What a session does with each request: the decision point between the byte-moving session and
// the Kafka semantics (transparent proxying, virtual clusters).

export interface RequestHead {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
}

export type Frame = Uint8Array | Uint8Array[];

/** Turns a backing broker's response frame into the frame the client receives. */
export type ResponseRewrite = (frame: Uint8Array) => Frame | Promise<Frame>;

export type RequestOutcome =
  /** Send `frame` upstream; `rewrite` (if any) transforms its response; no response for acks=0. */
  | {
    kind: "forward";
    frame: Frame;
    expectResponse: boolean;
    rewrite?: ResponseRewrite;
    /** Sees the start of the response (at least 64 bytes, or all of it), streamed or not. */
    onResponseHead?: (head: Uint8Array) => void;
  }
  /** Answer locally, in order with the forwarded requests; `frame` null means no response. */
  | { kind: "answer"; frame: Frame | null; closeAfter?: string }
  /** Close the connection, logging `reason`. */
  | { kind: "close"; reason: string };

export interface SessionPolicy {
  onRequest(frame: Uint8Array, head: RequestHead): RequestOutcome | Promise<RequestOutcome>;
  /** Called once the session has ended, for cleanup. */
  onClose?(): void;
}
