// Kafka error codes (org.apache.kafka.common.protocol.Errors): the generated table, looked up.
import { ErrorCode, KAFKA_ERRORS, type KafkaErrorInfo } from "./messages/errors.ts";

export { ErrorCode };

const BY_CODE: ReadonlyMap<number, KafkaErrorInfo> = new Map(KAFKA_ERRORS.map((e) => [e.code, e]));

/** Name, retriability and Kafka's default message of an error code; undefined for a code Kafka does not define. */
export function kafkaErrorInfo(code: number): KafkaErrorInfo | undefined {
  return BY_CODE.get(code);
}
