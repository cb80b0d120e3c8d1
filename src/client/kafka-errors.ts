// Kafka error codes that kgate's own client acts on, with their protocol names for messages.

const NAMES: Readonly<Record<number, string>> = {
  1: "OFFSET_OUT_OF_RANGE",
  2: "CORRUPT_MESSAGE",
  3: "UNKNOWN_TOPIC_OR_PARTITION",
  5: "LEADER_NOT_AVAILABLE",
  6: "NOT_LEADER_OR_FOLLOWER",
  7: "REQUEST_TIMED_OUT",
  10: "MESSAGE_TOO_LARGE",
  13: "NETWORK_EXCEPTION",
  19: "NOT_ENOUGH_REPLICAS",
  20: "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
  29: "TOPIC_AUTHORIZATION_FAILED",
  31: "CLUSTER_AUTHORIZATION_FAILED",
  33: "UNSUPPORTED_SASL_MECHANISM",
  35: "UNSUPPORTED_VERSION",
  36: "TOPIC_ALREADY_EXISTS",
  37: "INVALID_PARTITIONS",
  38: "INVALID_REPLICATION_FACTOR",
  40: "INVALID_CONFIG",
  41: "NOT_CONTROLLER",
  42: "INVALID_REQUEST",
  54: "SECURITY_DISABLED",
  56: "KAFKA_STORAGE_ERROR",
  58: "SASL_AUTHENTICATION_FAILED",
  74: "FENCED_LEADER_EPOCH",
  75: "UNKNOWN_LEADER_EPOCH",
  87: "INVALID_RECORD",
  91: "RESOURCE_NOT_FOUND",
  100: "UNKNOWN_TOPIC_ID",
};

/** The partition moved or is moving: look up the leader again, then retry. */
const LEADER_CHANGED = new Set([3, 5, 6, 56, 74, 75, 100]);
/** Worth another try on the same leader. */
const TRANSIENT = new Set([7, 13, 19, 20, 41]);

export const OFFSET_OUT_OF_RANGE = 1;
export const UNKNOWN_TOPIC_OR_PARTITION = 3;
export const LEADER_NOT_AVAILABLE = 5;
export const TOPIC_ALREADY_EXISTS = 36;

export function kafkaErrorName(code: number): string {
  return NAMES[code] ?? `error ${code}`;
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

  get retriable(): boolean {
    return LEADER_CHANGED.has(this.code) || TRANSIENT.has(this.code);
  }
}
