// Two tenants on one kgate, for the end-to-end tests of a group kind inside virtual clusters
// (share groups, streams groups): a vcluster each with a token, a kafkajs client and a client
// properties file for the Java tools, plus a raw connection to the backing broker.
import { Kafka, logLevel } from "kafkajs";
import { KafkaConnection } from "../../src/client/kafka-connection.ts";
import { parseHostPort } from "../../src/client/upstream.ts";
import { runtime } from "../../src/runtime/index.ts";
import { kafkaBootstrap } from "./kafka.ts";
import { adminCall, type KgateProcess, type KgateRuntime, startKgate, writeProperties } from "./kgate-process.ts";

export interface Tenant {
  name: string;
  prefix: string;
  user: string;
  token: string;
  kafka: Kafka;
  propertiesFile: string;
}

export interface TenantPair {
  kgate: KgateProcess;
  /** The backing broker's bootstrap address. */
  bootstrap: string;
  backing: KafkaConnection;
  alice: Tenant;
  bob: Tenant;
  /** A raw kgate connection, logged in as the tenant. */
  connect(t: Tenant): Promise<KafkaConnection>;
  close(): Promise<void>;
}

/** Starts kgate and makes tenants alice and bob, in vclusters `vc-KIND-USER-RUN`. */
export async function openTenantPair(kgateRuntime: KgateRuntime, kind: string, run: string): Promise<TenantPair> {
  const bootstrap = await kafkaBootstrap();
  const kgate = await startKgate({ runtime: kgateRuntime, backing: bootstrap });
  const backing = await KafkaConnection.open(runtime, [parseHostPort(bootstrap)], { clientId: `${kind}-backing` });
  const tenant = async (user: string): Promise<Tenant> => {
    const name = `vc-${kind}-${user}-${run}`;
    await adminCall(kgate, "PUT", `/v1/vclusters/${name}`);
    const issued = await adminCall<{ token: string; clientProperties: string }>(kgate, "POST", `/v1/vclusters/${name}/tokens`, { username: user });
    const kafka = new Kafka({
      clientId: `${kind}-${user}`,
      brokers: [kgate.bootstrap],
      sasl: { mechanism: "plain", username: user, password: issued.token },
      logLevel: logLevel.NOTHING,
    });
    return {
      name,
      prefix: `${name}.`,
      user,
      token: issued.token,
      kafka,
      propertiesFile: writeProperties(kgate, `${name}.properties`, issued.clientProperties),
    };
  };
  let alice: Tenant, bob: Tenant;
  try {
    alice = await tenant("alice");
    bob = await tenant("bob");
  } catch (err) {
    backing.close();
    await kgate.stop();
    throw err;
  }
  return {
    kgate,
    bootstrap,
    backing,
    alice,
    bob,
    connect: (t) =>
      KafkaConnection.open(runtime, [{ host: "127.0.0.1", port: kgate.port }], {
        sasl: { mechanism: "PLAIN", username: t.user, password: t.token },
        clientId: `${kind}-raw-${t.user}`,
      }),
    async close() {
      backing.close();
      await kgate.stop();
    },
  };
}
