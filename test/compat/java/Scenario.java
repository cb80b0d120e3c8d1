// The compat scenario for the Java client (kafka-clients 2.8 … 4.4; only APIs all of them have).
// Settings come from the environment (COMPAT_*); each step prints one line
// "STEP <name> ok|fail|na <detail>" for scripts/compat.ts. Stops at the first failed step.
import java.time.Duration;
import java.util.*;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.*;

public class Scenario {
  static final String BOOTSTRAP = System.getenv("COMPAT_BOOTSTRAP");
  static final String USER = System.getenv().getOrDefault("COMPAT_USER", "");
  static final String PASSWORD = System.getenv().getOrDefault("COMPAT_PASSWORD", "");
  static final String SUFFIX = System.getenv().getOrDefault("COMPAT_SUFFIX", "");
  static final boolean EXACT_LIST = "1".equals(System.getenv("COMPAT_EXACT_LIST"));
  static final int RECORDS = Integer.parseInt(System.getenv().getOrDefault("COMPAT_RECORDS", "1000"));
  static final String TOPIC = "orders" + SUFFIX, TX_TOPIC = "payments" + SUFFIX, GROUP = "billing" + SUFFIX;

  interface Step { String run() throws Exception; }

  static void step(String name, Step body) {
    try {
      String detail = body.run();
      System.out.println("STEP " + name + " ok " + (detail == null ? "" : detail));
    } catch (Throwable e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) root = root.getCause();
      System.out.println("STEP " + name + " fail " + (root.getClass().getSimpleName() + ": " + root.getMessage()).replace('\n', ' '));
      System.out.flush();
      System.exit(1);
    }
    System.out.flush();
  }

  static Properties common() {
    Properties p = new Properties();
    p.put("bootstrap.servers", BOOTSTRAP);
    p.put("client.id", "compat-java");
    if (!USER.isEmpty()) {
      p.put("security.protocol", "SASL_PLAINTEXT");
      p.put("sasl.mechanism", "PLAIN");
      p.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + USER + "\" password=\"" + PASSWORD + "\";");
    }
    return p;
  }

  static KafkaProducer<String, String> producer(String txId) {
    Properties p = common();
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.put("linger.ms", "5");
    if (txId != null) p.put("transactional.id", txId);
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  static KafkaConsumer<String, String> consumer(String group, boolean readCommitted) {
    Properties p = common();
    p.put("group.id", group);
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", "false");
    if (readCommitted) p.put("isolation.level", "read_committed");
    return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
  }

  /** Polls until every partition's position reached its end offset (the LSO when read_committed). */
  static List<String> readToEnd(KafkaConsumer<String, String> c, String topic, int atLeast, long deadlineMs) {
    List<String> values = new ArrayList<>();
    c.subscribe(Collections.singletonList(topic));
    while (System.currentTimeMillis() < deadlineMs) {
      for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) values.add(r.value());
      Set<TopicPartition> assigned = c.assignment();
      if (values.size() < atLeast || assigned.isEmpty()) continue;
      Map<TopicPartition, Long> ends = c.endOffsets(assigned);
      boolean done = true;
      for (TopicPartition tp : assigned) done &= c.position(tp) >= ends.get(tp);
      if (done) return values;
    }
    throw new IllegalStateException("read " + values.size() + " of " + atLeast + " records before the deadline");
  }

  public static void main(String[] args) throws Exception {
    try (AdminClient admin = AdminClient.create(common())) {
      step("create-topic", () -> {
        admin.createTopics(Arrays.asList(new NewTopic(TOPIC, 3, (short) 1), new NewTopic(TX_TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        return TOPIC + ", " + TX_TOPIC;
      });
      step("produce", () -> {
        try (KafkaProducer<String, String> p = producer(null)) {
          List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
          for (int i = 0; i < RECORDS; i++) sent.add(p.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)));
          for (java.util.concurrent.Future<RecordMetadata> f : sent) f.get(60, TimeUnit.SECONDS);
        }
        return RECORDS + " records, idempotent";
      });
      step("consume-commit", () -> {
        try (KafkaConsumer<String, String> c = consumer(GROUP, false)) {
          List<String> values = readToEnd(c, TOPIC, RECORDS, System.currentTimeMillis() + 60_000);
          if (new HashSet<>(values).size() != RECORDS) throw new IllegalStateException("got " + values.size() + " records, " + new HashSet<>(values).size() + " distinct");
          c.commitSync();
          return values.size() + " records";
        }
      });
      step("describe-group", () -> {
        ConsumerGroupDescription d = admin.describeConsumerGroups(Collections.singletonList(GROUP)).all().get(30, TimeUnit.SECONDS).get(GROUP);
        if (!d.groupId().equals(GROUP)) throw new IllegalStateException("described " + d.groupId());
        long committed = 0;
        for (OffsetAndMetadata o : admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).values()) committed += o.offset();
        if (committed != RECORDS) throw new IllegalStateException("committed offsets add up to " + committed);
        return "offsets add up to " + committed;
      });
      step("transactions", () -> {
        try (KafkaProducer<String, String> p = producer("pay" + SUFFIX)) {
          p.initTransactions();
          p.beginTransaction();
          p.send(new ProducerRecord<>(TX_TOPIC, "committed"));
          p.commitTransaction();
          p.beginTransaction();
          p.send(new ProducerRecord<>(TX_TOPIC, "aborted"));
          p.flush();
          p.abortTransaction();
        }
        try (KafkaConsumer<String, String> c = consumer("pay-reader" + SUFFIX, true)) {
          List<String> values = readToEnd(c, TX_TOPIC, 1, System.currentTimeMillis() + 60_000);
          if (!values.equals(Collections.singletonList("committed"))) throw new IllegalStateException("read_committed saw " + values);
          return "read_committed saw only the committed record";
        }
      });
      step("list-topics", () -> {
        Set<String> names = new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
        Set<String> ours = new TreeSet<>(Arrays.asList(TOPIC, TX_TOPIC));
        if (EXACT_LIST ? !names.equals(ours) : !names.containsAll(ours)) throw new IllegalStateException("listed " + names);
        return String.join(",", EXACT_LIST ? names : ours);
      });
    }
    System.exit(0);
  }
}
