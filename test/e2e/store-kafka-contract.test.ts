// The StateStore contract (test/support/store-contract.ts) for KafkaStore, on the real broker:
// each case on a state topic of its own.
import { afterAll, beforeAll } from "bun:test";
import { runtime } from "../../src/runtime/index.ts";
import { KafkaStore } from "../../src/store/kafka-store.ts";
import { kafkaBootstrap, kafkaCli } from "../support/kafka.ts";
import { storeContract } from "../support/store-contract.ts";

let bootstrap: string;
const RUN = `${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
let n = 0;

beforeAll(async () => {
  bootstrap = await kafkaBootstrap();
});

afterAll(async () => {
  await kafkaCli("kafka-topics", ["--bootstrap-server", bootstrap, "--delete", "--topic", `_kgate_state_contract_${RUN}_.*`]);
});

storeContract("KafkaStore", {
  async fresh() {
    const topic = `_kgate_state_contract_${RUN}_${n++}`;
    const open = async () => {
      const store = new KafkaStore({ runtime, backing: { bootstrapServers: [bootstrap] }, topic });
      await store.load();
      return store;
    };
    return { store: await open(), reopen: open };
  },
}, { timeoutMs: 60_000 });
