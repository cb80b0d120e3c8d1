import type { Config } from "../config/schema.ts";
import { FileStore, type StoreFiles } from "./file-store.ts";
import type { StateStore } from "./state-store.ts";

export interface CreateStoreOptions {
  readonly files: StoreFiles;
  readonly clock?: () => number;
  /** Supplied once kgate's own Kafka client exists; `store.type: kafka` needs it. */
  readonly createKafkaStore?: (config: Config["store"]) => StateStore;
}

export function createStore(config: Config["store"], options: CreateStoreOptions): StateStore {
  if (config.type === "kafka") {
    if (!options.createKafkaStore) throw new Error("store.type: kafka is not available in this build yet");
    return options.createKafkaStore(config);
  }
  return new FileStore(config.path, options.files, options.clock);
}
