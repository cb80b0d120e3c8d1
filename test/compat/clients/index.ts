// Every client of the matrix, in the order of its rows.
import type { CompatClient } from "../types.ts";
import { connectClient } from "./connect.ts";
import { javaClient } from "./java.ts";
import { kafkaCliClient } from "./kafka-cli.ts";
import { kafkajsClient } from "./kafkajs.ts";
import { kcatClient } from "./kcat.ts";
import { platformaticClient } from "./platformatic.ts";
import { confluentKafkaPython, kafkaPython } from "./python.ts";
import { streamsClient } from "./streams.ts";

export const ALL_CLIENTS: CompatClient[] = [
  javaClient("4.4", true),
  javaClient("3.9.1"),
  javaClient("2.8.2"),
  kafkaCliClient,
  kcatClient,
  confluentKafkaPython,
  kafkajsClient,
  platformaticClient,
  kafkaPython,
  streamsClient,
  connectClient,
];
