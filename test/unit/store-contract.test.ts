// The StateStore contract (test/support/store-contract.ts) for the file and memory stores; the
// Kafka store runs the same suite in test/e2e/store-kafka-contract.test.ts.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore } from "../../src/store/file-store.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { nodeFileRuntime } from "../support/node-runtime.ts";
import { storeContract } from "../support/store-contract.ts";

storeContract("FileStore", {
  async fresh() {
    const path = join(await mkdtemp(join(tmpdir(), "kgate-contract-")), "store.json");
    const open = async () => {
      const store = new FileStore(path, nodeFileRuntime());
      await store.load();
      return store;
    };
    return { store: await open(), reopen: open };
  },
});

storeContract("MemoryStore", {
  async fresh() {
    const store = new MemoryStore();
    await store.load();
    return { store };
  },
});
