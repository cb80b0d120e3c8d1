import type { Config } from "../config/schema.ts";
import type { Runtime, TlsClientOptions } from "../runtime/types.ts";
import { FileStore, type StoreFiles } from "./file-store.ts";
import { KafkaStore } from "./kafka-store.ts";
import type { StateStore } from "./state-store.ts";

export interface CreateStoreOptions {
  readonly files: StoreFiles;
  readonly clock?: () => number;
  /** Where `store.type: kafka` keeps its topic; that type needs it. */
  readonly kafka?: { readonly runtime: Runtime; readonly backing: Config["backing"]; readonly backingTls?: TlsClientOptions };
}

export function createStore(config: Config["store"], options: CreateStoreOptions): StateStore {
  if (config.type === "kafka") {
    if (!options.kafka) throw new Error("store.type: kafka needs a connection to the backing cluster");
    return new KafkaStore({ ...options.kafka, topic: config.topic, clock: options.clock });
  }
  return new FileStore(config.path, options.files, options.clock);
}
