// Kafka Streams with exactly_once_v2 for the compat matrix: words -> groupBy(word) -> count ->
// counts. groupBy makes a repartition topic, count a changelog topic; the application id is the
// consumer group. Prints "STEP <name> ok|fail <detail>" lines like Scenario.java.
import java.time.Duration;
import java.util.*;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.serialization.*;
import org.apache.kafka.streams.*;
import org.apache.kafka.streams.kstream.*;

public class StreamsApp {
  static final String SUFFIX = System.getenv().getOrDefault("COMPAT_SUFFIX", "");
  static final String APP = "wordcount" + SUFFIX, IN = "words" + SUFFIX, OUT = "counts" + SUFFIX;
  static final int RECORDS = 100, WORDS = 10;

  static Properties common() {
    Properties p = new Properties();
    p.put("bootstrap.servers", System.getenv("COMPAT_BOOTSTRAP"));
    String user = System.getenv().getOrDefault("COMPAT_USER", "");
    if (!user.isEmpty()) {
      p.put("security.protocol", "SASL_PLAINTEXT");
      p.put("sasl.mechanism", "PLAIN");
      p.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\"" + System.getenv("COMPAT_PASSWORD") + "\";");
    }
    return p;
  }

  static void fail(String step, Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    System.out.println("STEP " + step + " fail " + (root.getClass().getSimpleName() + ": " + root.getMessage()).replace('\n', ' '));
    System.out.flush();
    System.exit(1);
  }

  public static void main(String[] args) throws Exception {
    String step = "create-topic";
    try (AdminClient admin = AdminClient.create(common())) {
      admin.createTopics(Arrays.asList(new NewTopic(IN, 2, (short) 1), new NewTopic(OUT, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
      System.out.println("STEP create-topic ok " + IN + ", " + OUT);
      step = "produce";
      Properties pp = common();
      pp.put("enable.idempotence", "true");
      try (KafkaProducer<String, String> p = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
        for (int i = 0; i < RECORDS; i++) p.send(new ProducerRecord<>(IN, "k" + i, "w" + (i % WORDS)));
      }
      System.out.println("STEP produce ok " + RECORDS + " words");

      step = "streams-eos";
      Properties sp = common();
      sp.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
      sp.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2");
      sp.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("user.dir") + "/streams-state");
      sp.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "200");
      sp.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
      sp.put("consumer.auto.offset.reset", "earliest");
      StreamsBuilder b = new StreamsBuilder();
      b.stream(IN, Consumed.with(Serdes.String(), Serdes.String()))
          .groupBy((k, v) -> v, Grouped.with(Serdes.String(), Serdes.String()))
          .count(Materialized.as("counts-store"))
          .toStream()
          .to(OUT, Produced.with(Serdes.String(), Serdes.Long()));
      try (KafkaStreams streams = new KafkaStreams(b.build(), sp)) {
        streams.start();
        Properties cp = common();
        cp.put("group.id", "counts-reader" + SUFFIX);
        cp.put("auto.offset.reset", "earliest");
        cp.put("isolation.level", "read_committed");
        Map<String, Long> latest = new TreeMap<>();
        long deadline = System.currentTimeMillis() + 120_000;
        try (KafkaConsumer<String, Long> c = new KafkaConsumer<>(cp, new StringDeserializer(), new LongDeserializer())) {
          c.subscribe(Collections.singletonList(OUT));
          while (System.currentTimeMillis() < deadline && latest.values().stream().mapToLong(Long::longValue).sum() != RECORDS) {
            if (streams.state() == KafkaStreams.State.ERROR) throw new IllegalStateException("streams in ERROR");
            for (ConsumerRecord<String, Long> r : c.poll(Duration.ofMillis(500))) latest.put(r.key(), r.value());
          }
        }
        long total = latest.values().stream().mapToLong(Long::longValue).sum();
        if (latest.size() != WORDS || total != RECORDS) throw new IllegalStateException("counts " + latest + " (state " + streams.state() + ")");
        System.out.println("STEP streams-eos ok exactly_once_v2: " + WORDS + " words counted to " + total + ", read_committed");
        streams.close(Duration.ofSeconds(20));
      }
      step = "tenant-view";
      Set<String> names = new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
      List<String> internal = new ArrayList<>();
      for (String n : names) if (n.startsWith(APP + "-")) internal.add(n);
      boolean changelog = internal.stream().anyMatch(n -> n.endsWith("-changelog")), repartition = internal.stream().anyMatch(n -> n.endsWith("-repartition"));
      if (!changelog || !repartition) throw new IllegalStateException("internal topics seen by the app: " + internal);
      Collection<ConsumerGroupListing> groups = admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS);
      boolean group = groups.stream().anyMatch(g -> g.groupId().equals(APP));
      if (!group) throw new IllegalStateException("group " + APP + " not listed");
      System.out.println("STEP tenant-view ok internal topics " + internal + " and group " + APP + ", unprefixed");
    } catch (Throwable e) {
      fail(step, e);
    }
    System.out.flush();
    System.exit(0);
  }
}
