// The pinned Apache Kafka version: codecs are generated from its specs and tests run against it.
// scripts/kafka.sh reads the same value from this line.
export const KAFKA_VERSION = "4.4.0";
