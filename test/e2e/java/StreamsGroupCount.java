// A Kafka Streams 4.4 application with group.protocol=streams (KIP-1071), for
// test/e2e/vcluster-streams-groups.test.ts: reads words from IN, re-keys them by word (a
// repartition topic), counts them (a changelog topic) and writes the counts to OUT. It reads OUT
// itself until the counts add up to EXPECT records, prints "COUNTS word=n,..." and exits 0; on
// a timeout or a Streams error it prints "FAILED reason" and exits 1. Settings come from the
// environment: BOOTSTRAP, USER, PASSWORD (SASL/PLAIN), APP (application id), IN, OUT, EXPECT,
// STATE_DIR (a fresh folder: local state of an earlier run would be restored into this one).
import java.time.Duration;
import java.util.*;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.serialization.*;
import org.apache.kafka.streams.*;
import org.apache.kafka.streams.kstream.*;

public class StreamsGroupCount {
  static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isEmpty()) throw new IllegalArgumentException(name + " is not set");
    return v;
  }

  static Properties login() {
    Properties p = new Properties();
    p.put("bootstrap.servers", env("BOOTSTRAP"));
    p.put("security.protocol", "SASL_PLAINTEXT");
    p.put("sasl.mechanism", "PLAIN");
    p.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + env("USER") + "\" password=\"" + env("PASSWORD") + "\";");
    return p;
  }

  public static void main(String[] args) throws Exception {
    String app = env("APP"), in = env("IN"), out = env("OUT");
    long expect = Long.parseLong(env("EXPECT"));
    Properties sp = login();
    sp.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
    sp.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams");
    sp.put(StreamsConfig.STATE_DIR_CONFIG, env("STATE_DIR"));
    sp.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
    sp.put("consumer.auto.offset.reset", "earliest");
    StreamsBuilder b = new StreamsBuilder();
    b.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
        .groupBy((k, v) -> v, Grouped.with("rekey", Serdes.String(), Serdes.String()))
        .count(Materialized.as("word-counts"))
        .toStream()
        .to(out, Produced.with(Serdes.String(), Serdes.Long()));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (KafkaStreams streams = new KafkaStreams(b.build(), sp)) {
      streams.setUncaughtExceptionHandler(e -> {
        failure.set(e);
        return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
      });
      streams.start();
      Properties cp = login();
      cp.put("group.id", app + "-reader");
      cp.put("auto.offset.reset", "earliest");
      Map<String, Long> latest = new TreeMap<>();
      long deadline = System.currentTimeMillis() + 150_000;
      try (KafkaConsumer<String, Long> c = new KafkaConsumer<>(cp, new StringDeserializer(), new LongDeserializer())) {
        c.subscribe(Collections.singletonList(out));
        while (latest.values().stream().mapToLong(Long::longValue).sum() != expect) {
          if (failure.get() != null || streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
            System.out.println("FAILED streams " + streams.state() + ": " + failure.get());
            System.exit(1);
          }
          if (System.currentTimeMillis() > deadline) {
            System.out.println("FAILED timeout, counts so far " + latest + ", state " + streams.state());
            System.exit(1);
          }
          for (ConsumerRecord<String, Long> r : c.poll(Duration.ofMillis(500))) latest.put(r.key(), r.value());
        }
      }
      StringBuilder line = new StringBuilder("COUNTS ");
      for (Map.Entry<String, Long> e : latest.entrySet()) line.append(line.length() > 7 ? "," : "").append(e.getKey()).append('=').append(e.getValue());
      System.out.println(line);
      System.out.flush();
      streams.close(Duration.ofSeconds(20));
    }
    System.exit(0);
  }
}
