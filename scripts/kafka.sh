#!/usr/bin/env bash
# Local Apache Kafka for development and tests: real broker jars from Maven Central, run with the
# machine's Java. No Docker, no downloads other than Maven artifacts.
#
#   scripts/kafka.sh fetch                 resolve Kafka jars into .kafka/libs (quick when present)
#   scripts/kafka.sh clients-jar           print the path of the kafka-clients jar
#   scripts/kafka.sh start                 single-node KRaft broker+controller (idempotent)
#   KAFKA_BROKERS=3 scripts/kafka.sh start three brokers (node 0 is also the only controller)
#   scripts/kafka.sh stop                  stop every broker this script started, wait for exit
#   scripts/kafka.sh status                what is running (exit 0 if a cluster is up)
#   scripts/kafka.sh reset                 stop, then delete all broker data (keeps the jars)
#   scripts/kafka.sh cli TOOL ARGS...      run a Kafka command-line tool (kafka-topics, ...)
#   scripts/kafka.sh tls                   make the test CA and certificates (once); print their folder
#
# Listeners of node i (i = 0..N-1):
#   127.0.0.1:(9092 + 100*i)  PLAINTEXT
#   127.0.0.1:(9093 + 100*i)  SSL (client certificates requested)
#   127.0.0.1:(9094 + 100*i)  SASL_PLAINTEXT: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
#   127.0.0.1:(9095 + 100*i)  SASL_SSL: the same users and mechanisms
#   127.0.0.1:9099            KRaft controller (node 0 only)
# TLS: a CA made once per checkout under .kafka/tls/ (openssl): ca.pem (what clients trust), the
# brokers' keystore broker.p12 (for 127.0.0.1 and localhost), and client.pem / client-key.pem, a
# client certificate signed by the CA for mTLS tests.
# SASL users (every mechanism): admin/admin-secret, gateway/gateway-secret. The StandardAuthorizer
# is on so that ACL tools work; ANONYMOUS (PLAINTEXT, controller), admin and gateway are super
# users, and resources without ACLs are open to everyone.
#
# A second, separate cluster (same jars and CA, its own data and ports), e.g. one whose authorizer
# denies whatever no ACL allows:
#   KAFKA_STRICT_ACLS=1 KAFKA_DATA_DIR=/tmp/kafka-strict KAFKA_PORT_BASE=19092 scripts/kafka.sh start
# KAFKA_DATA_DIR (.kafka) holds its data, logs and pids; KAFKA_PORT_BASE (9092) moves every port
# above by the same amount (the controller to base + 7); KAFKA_STRICT_ACLS=1 sets
# allow.everyone.if.no.acl.found=false (only with its own KAFKA_DATA_DIR, so the default cluster
# never changes by accident). stop, status and reset act on the cluster of KAFKA_DATA_DIR only.
#
# Environment: KAFKA_VERSION (4.4.0; falls back to 4.3.1), KAFKA_BROKERS (1), KAFKA_HEAP (512m),
# KAFKA_CLI_HEAP (512m), KAFKA_CLI_JAVA_OPTS (more JVM flags for `cli`, e.g. -Djdk.net.hosts.file=F),
# KAFKA_START_TIMEOUT seconds (90), JAVA_HOME, KAFKA_DIR (the folder for jars, data, logs and the CA;
# .kafka), KAFKA_PORT_BASE (9092: node i's listeners at base+100*i ... +3, the controller at base+7;
# node 0 also listens at base+10..12 for the bench's byte relays, which it advertises at base+20..22).
# Another version than the pinned one never touches .kafka or its ports: by default it lives in
# .kafka-VERSION with port base 19092, e.g. `KAFKA_VERSION=3.9.1 scripts/kafka.sh start` serves
# PLAINTEXT 19092, SSL 19093, SASL_PLAINTEXT 19094, SASL_SSL 19095 (Kafka 3.9 and later: KRaft).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PINNED_VERSION="4.4.0"
WANT_VERSION="${KAFKA_VERSION:-$PINNED_VERSION}"
if [[ "$WANT_VERSION" == "$PINNED_VERSION" ]]; then
  DEFAULT_KDIR="$ROOT/.kafka" DEFAULT_PORT_BASE=9092 FALLBACK_VERSION="4.3.1"
else # an older (or newer) line: its own folder and ports, no fallback
  DEFAULT_KDIR="$ROOT/.kafka-$WANT_VERSION" DEFAULT_PORT_BASE=19092 FALLBACK_VERSION="$WANT_VERSION"
fi
KDIR="${KAFKA_DIR:-$DEFAULT_KDIR}"
[[ "$KDIR" == /* ]] || KDIR="$ROOT/$KDIR"
PORT_BASE="${KAFKA_PORT_BASE:-$DEFAULT_PORT_BASE}"
[[ "$PORT_BASE" =~ ^[1-9][0-9]{3,4}$ ]] && ((PORT_BASE + 907 < 65536)) || { echo "kafka.sh: KAFKA_PORT_BASE must be a port number (got '$PORT_BASE')" >&2; exit 1; }
LIBS="$KDIR/libs"
STAMP="$LIBS/.kafka-version"
LOG4J_VERSION="2.25.5"
SLF4J_VERSION="1.7.36" # Kafka 4.x still ships the SLF4J 1.7 API, so the binding is log4j-slf4j-impl
HOST=127.0.0.1
CONTROLLER_PORT=$((PORT_BASE + 7))
DATA_DIR="$KDIR"
if [[ -n "${KAFKA_DATA_DIR:-}" ]]; then mkdir -p "$KAFKA_DATA_DIR" && DATA_DIR="$(cd "$KAFKA_DATA_DIR" && pwd)"; fi
ALLOW_EVERYONE=true
[[ "${KAFKA_STRICT_ACLS:-0}" == 1 ]] && ALLOW_EVERYONE=false
TLS_DIR="$KDIR/tls"
KEYSTORE_PASSWORD=kgate-test
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

say() { echo "kafka.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# fetch

libs_ready() {
  [[ -f "$STAMP" ]] && [[ "$(sed -n 's/^requested=//p' "$STAMP")" == "$WANT_VERSION" ]] &&
    compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null && compgen -G "$LIBS/kafka-clients-*.jar" >/dev/null
}

resolved_version() { sed -n 's/^resolved=//p' "$STAMP" 2>/dev/null || true; }

write_pom() { # version
  cat >"$KDIR/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- generated by scripts/kafka.sh: the jars of a local Apache Kafka $1 -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.kgate</groupId>
  <artifactId>kafka-local</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencyManagement>
    <dependencies>
      <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J_VERSION</version></dependency>
      <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
      <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$SLF4J_VERSION</version></dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$1</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$1</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-clients</artifactId><version>$1</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
}

mvn_copy() { # version -> 0 if the jars landed in $LIBS.new
  local v="$1"
  write_pom "$v"
  rm -rf "$LIBS.new"
  mvn -B -q -U -Dstyle.color=never -f "$KDIR/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS.new" >"$KDIR/fetch.log" 2>&1 &&
    compgen -G "$LIBS.new/kafka_2.13-$v.jar" >/dev/null || return 1
  # Kafka 3.x brings SLF4J's reload4j binding too: one binding (log4j2, for the configs below) only.
  rm -f "$LIBS.new"/slf4j-reload4j-*.jar
}

cmd_fetch() {
  mkdir -p "$KDIR"
  if libs_ready; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install -y maven)"
  local got="$WANT_VERSION"
  say "resolving Apache Kafka $WANT_VERSION from Maven Central into ${LIBS#"$ROOT"/} ..."
  if ! mvn_copy "$WANT_VERSION"; then
    say "Kafka $WANT_VERSION could not be resolved (see ${KDIR#"$ROOT"/}/fetch.log):"
    sed 's/\x1b\[[0-9;]*m//g' "$KDIR/fetch.log" | grep -m 2 'ERROR' >&2 || true
    [[ "$WANT_VERSION" != "$FALLBACK_VERSION" ]] || die "giving up"
    say "falling back to Apache Kafka $FALLBACK_VERSION"
    got="$FALLBACK_VERSION"
    mvn_copy "$got" || { tail -n 20 "$KDIR/fetch.log" >&2; die "could not resolve Kafka $got either"; }
    say "NOTE: using Apache Kafka $FALLBACK_VERSION instead of $WANT_VERSION"
  fi
  rm -rf "$LIBS"
  mv "$LIBS.new" "$LIBS"
  printf 'requested=%s\nresolved=%s\n' "$WANT_VERSION" "$got" >"$STAMP"
  say "Apache Kafka $got: $(ls "$LIBS"/*.jar | wc -l) jars in ${LIBS#"$ROOT"/}"
}

cmd_clients_jar() {
  libs_ready || cmd_fetch >&2
  local jar
  jar="$(ls "$LIBS"/kafka-clients-*.jar | head -n 1)"
  [[ -f "$jar" ]] || die "kafka-clients jar not found in $LIBS"
  echo "$jar"
}

# ---------------------------------------------------------------------------------------------
# logging configs

write_log4j_configs() {
  cat >"$KDIR/log4j2-cli.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="warn">
  <Appenders>
    <Console name="stderr" target="SYSTEM_ERR"><PatternLayout pattern="[%d{HH:mm:ss}] %p %m (%c{1})%n"/></Console>
  </Appenders>
  <Loggers>
    <Root level="warn"><AppenderRef ref="stderr"/></Root>
  </Loggers>
</Configuration>
EOF
  cat >"$KDIR/log4j2-broker.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="warn">
  <Appenders>
    <Console name="stdout" target="SYSTEM_OUT"><PatternLayout pattern="[%d] %p %m (%c)%n"/></Console>
  </Appenders>
  <Loggers>
    <Root level="info"><AppenderRef ref="stdout"/></Root>
    <Logger name="state.change.logger" level="warn"/>
    <Logger name="kafka.request.logger" level="warn"/>
    <Logger name="org.apache.kafka.clients" level="warn"/>
    <Logger name="org.apache.kafka.common.utils.AppInfoParser" level="warn"/>
    <Logger name="kafka.log" level="warn"/>
    <Logger name="org.apache.kafka.storage" level="warn"/>
  </Loggers>
</Configuration>
EOF
}

# ---------------------------------------------------------------------------------------------
# command-line tools

tool_class() {
  case "$1" in
    kafka-topics) echo org.apache.kafka.tools.TopicCommand ;;
    kafka-console-producer) echo org.apache.kafka.tools.ConsoleProducer ;;
    kafka-console-consumer) echo org.apache.kafka.tools.consumer.ConsoleConsumer ;;
    kafka-console-share-consumer) echo org.apache.kafka.tools.consumer.ConsoleShareConsumer ;;
    kafka-consumer-groups) echo org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
    kafka-share-groups) echo org.apache.kafka.tools.consumer.group.ShareGroupCommand ;;
    kafka-streams-groups) echo org.apache.kafka.tools.streams.StreamsGroupCommand ;;
    kafka-groups) echo org.apache.kafka.tools.GroupsCommand ;;
    kafka-configs) echo org.apache.kafka.tools.ConfigCommand ;;
    kafka-acls) echo org.apache.kafka.tools.AclCommand ;;
    kafka-broker-api-versions) echo org.apache.kafka.tools.BrokerApiVersionsCommand ;;
    kafka-producer-perf-test) echo org.apache.kafka.tools.ProducerPerformance ;;
    kafka-consumer-perf-test) echo org.apache.kafka.tools.ConsumerPerformance ;;
    kafka-share-consumer-perf-test) echo org.apache.kafka.tools.ShareConsumerPerformance ;;
    kafka-get-offsets) echo org.apache.kafka.tools.GetOffsetShell ;;
    kafka-delete-records) echo org.apache.kafka.tools.DeleteRecordsCommand ;;
    kafka-transactions) echo org.apache.kafka.tools.TransactionsCommand ;;
    kafka-features) echo org.apache.kafka.tools.FeatureCommand ;;
    kafka-metadata-quorum) echo org.apache.kafka.tools.MetadataQuorumCommand ;;
    kafka-leader-election) echo org.apache.kafka.tools.LeaderElectionCommand ;;
    kafka-reassign-partitions) echo org.apache.kafka.tools.reassign.ReassignPartitionsCommand ;;
    kafka-log-dirs) echo org.apache.kafka.tools.LogDirsCommand ;;
    kafka-delegation-tokens) echo org.apache.kafka.tools.DelegationTokenCommand ;;
    kafka-client-metrics) echo org.apache.kafka.tools.ClientMetricsCommand ;;
    kafka-cluster) echo org.apache.kafka.tools.ClusterTool ;;
    kafka-dump-log) echo org.apache.kafka.tools.DumpLogSegments ;;
    kafka-storage) echo kafka.tools.StorageTool ;;
    *.*) echo "$1" ;; # a fully qualified main class
    *) return 1 ;;
  esac
}

cli_tools() { sed -n 's/^    \(kafka-[a-z-]*\)) echo.*/\1/p' "${BASH_SOURCE[0]}" | tr '\n' ' '; }

cmd_cli() {
  [[ $# -ge 1 ]] || die "usage: kafka.sh cli TOOL ARGS...   (tools: $(cli_tools))"
  local tool="${1%.sh}"; shift
  local cls
  cls="$(tool_class "$tool")" || die "unknown tool '$tool' (tools: $(cli_tools), or a main class)"
  libs_ready || cmd_fetch
  [[ -f "$KDIR/log4j2-cli.xml" ]] || write_log4j_configs
  local jit=(-XX:TieredStopAtLevel=1)
  case "$tool" in *perf-test) jit=() ;; esac # sustained load wants the optimizing JIT
  local extra=()
  read -r -a extra <<<"${KAFKA_CLI_JAVA_OPTS:-}"
  exec "$JAVA" -Xmx"${KAFKA_CLI_HEAP:-512m}" -XX:+UseSerialGC "${jit[@]}" "${extra[@]}" -Xshare:auto \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$KDIR/log4j2-cli.xml" \
    -cp "$LIBS/*" "$cls" "$@"
}

# ---------------------------------------------------------------------------------------------
# cluster layout

# Every file of an N-broker cluster lives in cluster_dir N; the single node's files sit directly
# in .kafka/ (data-0, broker-0.log, ...), a larger cluster's in .kafka/cluster-N/.
cluster_dir() { if [[ "$1" == 1 ]]; then echo "$DATA_DIR"; else echo "$DATA_DIR/cluster-$1"; fi; }
plain_port() { echo $((PORT_BASE + 100 * $1)); }
sasl_port() { echo $((PORT_BASE + 2 + 100 * $1)); }
ssl_port() { echo $((PORT_BASE + 1 + 100 * $1)); }
sasl_ssl_port() { echo $((PORT_BASE + 3 + 100 * $1)); }

# A second cluster must not share the default one's files or ports, nor may the default one turn strict.
check_layout() {
  [[ "$PORT_BASE" =~ ^[0-9]+$ ]] || die "KAFKA_PORT_BASE must be a port number (got '$PORT_BASE')"
  local default_dir="$ROOT/.kafka"
  if [[ "$DATA_DIR" != "$default_dir" && "$PORT_BASE" == 9092 ]]; then die "KAFKA_DATA_DIR needs its own KAFKA_PORT_BASE (9092 is the default cluster's)"; fi
  if [[ "$DATA_DIR" == "$default_dir" && "$PORT_BASE" != 9092 ]]; then die "KAFKA_PORT_BASE needs its own KAFKA_DATA_DIR (.kafka is the default cluster's)"; fi
  if [[ "$ALLOW_EVERYONE" == false && "$DATA_DIR" == "$default_dir" ]]; then die "KAFKA_STRICT_ACLS=1 needs its own KAFKA_DATA_DIR and KAFKA_PORT_BASE"; fi
  return 0
}

# The checkout's test CA, broker keystore and client certificate; made once, X.509 v3 throughout
# (rustls, under Deno, refuses v1 certificates).
ensure_tls() {
  [[ -s "$TLS_DIR/broker.p12" && -s "$TLS_DIR/client.pem" ]] && return 0
  command -v openssl >/dev/null || die "openssl is needed to make the test CA (apt-get install openssl)"
  rm -rf "$TLS_DIR" && mkdir -p "$TLS_DIR"
  (
    cd "$TLS_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 3650 -subj "/CN=kgate local test CA" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >broker.ext
    openssl req -newkey rsa:2048 -nodes -keyout broker-key.pem -out broker.csr -subj "/CN=localhost" 2>/dev/null
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca-key.pem -set_serial 1 -days 3650 -out broker.pem -extfile broker.ext 2>/dev/null
    openssl pkcs12 -export -in broker.pem -inkey broker-key.pem -certfile ca.pem -name broker -out broker.p12 -passout "pass:$KEYSTORE_PASSWORD"
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:kgate-client\n' >client.ext
    openssl req -newkey rsa:2048 -nodes -keyout client-key.pem -out client.csr -subj "/CN=kgate-client/O=kgate" 2>/dev/null
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -set_serial 2 -days 3650 -out client.pem -extfile client.ext 2>/dev/null
    rm -f ./*.csr ./*.ext
  ) || die "making the test CA under $TLS_DIR failed"
}

write_server_properties() { # brokers node
  local n="$1" i="$2" dir
  dir="$(cluster_dir "$n")"
  local advertised="PLAINTEXT://$HOST:$(plain_port "$i"),SSL://$HOST:$(ssl_port "$i"),SASL_PLAINTEXT://$HOST:$(sasl_port "$i"),SASL_SSL://$HOST:$(sasl_ssl_port "$i")"
  local roles="broker" listeners="$advertised" relays=""
  if [[ "$i" == 0 ]]; then
    roles="broker,controller"
    # Three PLAINTEXT listeners at base+10..12 that advertise base+20..22 instead, where
    # `npm run bench` puts bare byte relays (no Kafka parsing): what any proxy costs on this machine.
    local r
    for r in 0 1 2; do
      listeners="$listeners,RELAY$r://$HOST:$((PORT_BASE + 10 + r))"
      advertised="$advertised,RELAY$r://$HOST:$((PORT_BASE + 20 + r))"
      relays="$relays,RELAY$r:PLAINTEXT"
    done
    listeners="$listeners,CONTROLLER://$HOST:$CONTROLLER_PORT"
  fi
  cat >"$dir/server-$i.properties" <<EOF
# generated by scripts/kafka.sh; edits are overwritten at each start
process.roles=$roles
node.id=$i
controller.quorum.voters=0@$HOST:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=$listeners
advertised.listeners=$advertised
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT$relays
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data-$i

sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" user_gateway="gateway-secret";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" user_gateway="gateway-secret";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;

ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS_DIR/broker.p12
ssl.keystore.password=$KEYSTORE_PASSWORD
ssl.key.password=$KEYSTORE_PASSWORD
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
listener.name.ssl.ssl.client.auth=requested
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=$ALLOW_EVERYONE
super.users=User:ANONYMOUS;User:admin;User:gateway

# test-friendly: small, fast, replication factor 1
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=5
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.segment.bytes=67108864
EOF
}

format_storage() { # brokers node
  local n="$1" i="$2" dir cid
  dir="$(cluster_dir "$n")"
  [[ -f "$dir/data-$i/meta.properties" ]] && return 0
  cid="$(cat "$dir/cluster.id")"
  local scram=()
  if [[ "$i" == 0 ]]; then # SCRAM credentials live in the metadata log, written by the controller
    local user pass mech
    for mech in SCRAM-SHA-256 SCRAM-SHA-512; do
      for user in admin:admin-secret gateway:gateway-secret; do
        pass="${user#*:}"; user="${user%%:*}"
        scram+=(--add-scram "$mech=[name=$user,password=$pass]")
      done
    done
  fi
  rm -rf "$dir/data-$i"
  if ! "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j2.configurationFile="$KDIR/log4j2-cli.xml" \
    -cp "$LIBS/*" kafka.tools.StorageTool format -t "$cid" -c "$dir/server-$i.properties" "${scram[@]}" \
    >"$dir/format-$i.log" 2>&1; then
    cat "$dir/format-$i.log" >&2
    die "formatting node $i failed"
  fi
}

new_cluster_id() { # 16 random bytes, URL-safe base64 without padding, as Kafka's Uuid prints them
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && { echo "$id"; return; }
  done
}

# Is pid a broker of this checkout's cluster with n brokers (guards against reused pids)?
is_our_broker() { # pid config
  [[ -n "$1" && -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "kafka.Kafka $2 "
}

node_pid() { # brokers node -> pid if running
  local dir pid
  dir="$(cluster_dir "$1")"
  pid="$(cat "$dir/broker-$2.pid" 2>/dev/null || true)"
  if is_our_broker "$pid" "$dir/server-$2.properties"; then echo "$pid"; fi
}

running_sizes() { # cluster sizes with at least one live broker
  local f n
  for f in "$DATA_DIR"/broker-*.pid "$DATA_DIR"/cluster-*/broker-*.pid; do
    [[ -f "$f" ]] || continue
    if [[ "$f" == "$DATA_DIR"/cluster-* ]]; then n="${f#"$DATA_DIR"/cluster-}"; n="${n%%/*}"; else n=1; fi
    local i="${f##*/broker-}"; i="${i%.pid}"
    [[ -n "$(node_pid "$n" "$i")" ]] && echo "$n"
  done | sort -u
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Sends a Metadata v4 request and succeeds when the broker lists at least `want` live brokers.
metadata_probe() { # port want
  if command -v node >/dev/null; then
    node - "$HOST" "$1" "$2" <<'JS' >/dev/null 2>&1
const net = require("node:net");
const [host, port, want] = process.argv.slice(2);
const clientId = Buffer.from("kafka.sh-probe");
const header = Buffer.alloc(10);
header.writeInt16BE(3, 0); // Metadata
header.writeInt16BE(4, 2); // v4: the oldest version Kafka 4.x still serves
header.writeInt32BE(1, 4); // correlation id
header.writeInt16BE(clientId.length, 8);
const body = Buffer.from([0, 0, 0, 0, 0]); // topics: [], allow_auto_topic_creation: false
const size = Buffer.alloc(4);
size.writeInt32BE(header.length + clientId.length + body.length);
const socket = net.connect(Number(port), host);
socket.setTimeout(5000, () => process.exit(2));
socket.on("error", () => process.exit(1));
socket.on("connect", () => socket.write(Buffer.concat([size, header, clientId, body])));
let buf = Buffer.alloc(0);
socket.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
  const brokers = buf.readInt32BE(12); // after size, correlation id, throttle_time_ms
  process.exit(brokers >= Number(want) ? 0 : 3);
});
JS
  else
    "$ROOT/scripts/kafka.sh" cli kafka-broker-api-versions --bootstrap-server "$HOST:$1" >/dev/null 2>&1
  fi
}

cluster_ready() { # brokers
  local i
  for ((i = 0; i < $1; i++)); do
    port_open "$(sasl_port "$i")" || return 1
    port_open "$(sasl_ssl_port "$i")" || return 1
    metadata_probe "$(plain_port "$i")" "$1" || return 1
  done
}

# ---------------------------------------------------------------------------------------------
# start / stop / status

# start and stop of one checkout take turns (two test runs may ask for a broker at once)
take_lock() {
  check_layout
  mkdir -p "$DATA_DIR"
  exec 9>"$DATA_DIR/.lock"
  command -v flock >/dev/null || return 0
  flock -w 300 9 || die "another scripts/kafka.sh start/stop holds ${KDIR#"$ROOT"/}/.lock"
}

cmd_start() {
  local n="${KAFKA_BROKERS:-1}"
  [[ "$n" =~ ^[1-9]$ ]] || die "KAFKA_BROKERS must be 1..9 (got '$n')"
  take_lock
  local dir i others
  dir="$(cluster_dir "$n")"
  others="$(running_sizes | grep -vx "$n" || true)"
  if [[ -n "$others" ]]; then
    # Without an explicit KAFKA_BROKERS, any cluster of ours that answers on the base port will do.
    if [[ -z "${KAFKA_BROKERS:-}" ]] && cluster_ready "$others"; then
      say "already running ($others broker(s), bootstrap $HOST:$PORT_BASE)"
      return 0
    fi
    die "a $others-broker cluster is running; run 'scripts/kafka.sh stop' first"
  fi

  local alive=0
  for ((i = 0; i < n; i++)); do [[ -n "$(node_pid "$n" "$i")" ]] && alive=$((alive + 1)); done
  if ((alive == n)) && cluster_ready "$n"; then
    say "already running ($n broker(s), bootstrap $HOST:$PORT_BASE)"
    return 0
  fi

  cmd_fetch
  mkdir -p "$dir"
  ensure_tls
  write_log4j_configs
  [[ -s "$dir/cluster.id" ]] || new_cluster_id >"$dir/cluster.id"
  for ((i = 0; i < n; i++)); do
    if [[ -z "$(node_pid "$n" "$i")" ]]; then
      local p
      for p in "$(plain_port "$i")" "$(ssl_port "$i")" "$(sasl_port "$i")" "$(sasl_ssl_port "$i")"; do
        ! port_open "$p" || die "port $p is in use by another process (not a broker of this checkout)"
      done
      if [[ "$i" == 0 ]] && port_open "$CONTROLLER_PORT"; then
        die "port $CONTROLLER_PORT is in use by another process"
      fi
    fi
    write_server_properties "$n" "$i"
    format_storage "$n" "$i"
  done

  local t0=$SECONDS
  say "starting Apache Kafka $(resolved_version) ($n broker(s)) ..."
  for ((i = 0; i < n; i++)); do
    [[ -n "$(node_pid "$n" "$i")" ]] && continue
    # setsid: the broker outlives the shell (and test runner) that started it
    setsid "$JAVA" -Xms"${KAFKA_HEAP:-512m}" -Xmx"${KAFKA_HEAP:-512m}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -Djava.awt.headless=true -Dkafka.logs.dir="$dir" -Dlog4j2.configurationFile="$KDIR/log4j2-broker.xml" \
      -cp "$LIBS/*" kafka.Kafka "$dir/server-$i.properties" >"$dir/broker-$i.log" 2>&1 </dev/null 9>&- &
    echo $! >"$dir/broker-$i.pid"
  done

  while ! cluster_ready "$n"; do
    for ((i = 0; i < n; i++)); do
      if [[ -z "$(node_pid "$n" "$i")" ]]; then
        say "broker $i exited during startup; last lines of $dir/broker-$i.log:"
        tail -n 40 "$dir/broker-$i.log" >&2
        cmd_stop >/dev/null 2>&1 || true
        exit 1
      fi
    done
    if ((SECONDS - t0 > START_TIMEOUT)); then
      say "not ready after ${START_TIMEOUT}s; last lines of the log(s):"
      for ((i = 0; i < n; i++)); do echo "--- $dir/broker-$i.log" >&2; tail -n 30 "$dir/broker-$i.log" >&2; done
      exit 1
    fi
    sleep 0.5
  done
  say "ready in $((SECONDS - t0))s: Apache Kafka $(resolved_version), $n broker(s), PLAINTEXT $HOST:$(plain_port 0), SSL $HOST:$(ssl_port 0), SASL_PLAINTEXT $HOST:$(sasl_port 0), SASL_SSL $HOST:$(sasl_ssl_port 0) (CA $TLS_DIR/ca.pem)$([[ "$ALLOW_EVERYONE" == false ]] && echo ", strict ACLs")"
}

stop_pid() { # pid label
  kill -TERM "$1" 2>/dev/null || return 0
  local t=0
  while kill -0 "$1" 2>/dev/null; do
    sleep 0.25; t=$((t + 1))
    if ((t == 240)); then say "$2 did not stop in 60s; killing it"; kill -KILL "$1" 2>/dev/null || true; fi
  done
}

cmd_stop() {
  local n i pid dir stopped=0
  for n in $(running_sizes); do
    dir="$(cluster_dir "$n")"
    # brokers first, the controller (node 0) last, so that controlled shutdown can finish
    for ((i = n - 1; i >= 0; i--)); do
      pid="$(node_pid "$n" "$i")"
      [[ -n "$pid" ]] || continue
      say "stopping broker $i of the $n-broker cluster (pid $pid)"
      stop_pid "$pid" "broker $i"
      stopped=$((stopped + 1))
    done
    rm -f "$dir"/broker-*.pid
  done
  ((stopped > 0)) || say "no broker of this checkout is running"
}

cmd_status() {
  local n i pid up=1
  for n in $(running_sizes); do
    up=0
    for ((i = 0; i < n; i++)); do
      pid="$(node_pid "$n" "$i")"
      echo "broker $i of $n: $([[ -n "$pid" ]] && echo "running (pid $pid)" || echo stopped)  PLAINTEXT $HOST:$(plain_port "$i")  SSL $HOST:$(ssl_port "$i")  SASL_PLAINTEXT $HOST:$(sasl_port "$i")  SASL_SSL $HOST:$(sasl_ssl_port "$i")"
    done
    if cluster_ready "$n"; then echo "cluster ready (Apache Kafka $(resolved_version))"; else echo "cluster not ready"; up=1; fi
  done
  ((up == 0)) || echo "not running"
  return "$up"
}

cmd_reset() {
  cmd_stop
  rm -rf "$DATA_DIR"/data-* "$DATA_DIR"/cluster-* "$DATA_DIR"/cluster.id "$DATA_DIR"/server-*.properties "$DATA_DIR"/format-*.log
  say "broker data deleted"
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  clients-jar) cmd_clients_jar ;;
  start) cmd_start ;;
  stop) take_lock; cmd_stop ;;
  status) cmd_status ;;
  reset) take_lock; cmd_reset ;;
  cli) shift; cmd_cli "$@" ;;
  tls) ensure_tls; echo "$TLS_DIR" ;;
  *)
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
