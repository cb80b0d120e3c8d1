// Kafka error codes that kgate's own client acts on, with their protocol names for messages.
import { ErrorCode, kafkaErrorInfo } from "../protocol/error-codes.ts";

/** The partition moved or is moving: look up the leader again, then retry. */
const LEADER_CHANGED: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_ID,
]);
/** Worth another try on the same leader. */
const TRANSIENT: ReadonlySet<number> = new Set([
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.NOT_CONTROLLER,
]);

export const OFFSET_OUT_OF_RANGE = ErrorCode.OFFSET_OUT_OF_RANGE;
export const UNKNOWN_TOPIC_OR_PARTITION = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
export const LEADER_NOT_AVAILABLE = ErrorCode.LEADER_NOT_AVAILABLE;
export const TOPIC_ALREADY_EXISTS = ErrorCode.TOPIC_ALREADY_EXISTS;

function kafkaErrorName(code: number): string {
  return kafkaErrorInfo(code)?.name ?? `error ${code}`;
}

export class KafkaError extends Error {
  override name = "KafkaError";
  constructor(
    readonly code: number,
    context: string,
    brokerMessage?: string | null,
  ) {
    super(`${context}: ${kafkaErrorName(code)}${brokerMessage ? ` (${brokerMessage})` : ""}`);
  }

  get leaderChanged(): boolean {
    return LEADER_CHANGED.has(this.code);
  }

  /** kgate's retry policy for its own client (narrower than Kafka's retriable flag). */
  get retriable(): boolean {
    return LEADER_CHANGED.has(this.code) || TRANSIENT.has(this.code);
  }
}
