// A small source connector for the Connect row of the compat matrix: it writes "line-0" …
// "line-<count-1>" to its topic, keeping its position in Connect's offset topic, then idles.
// (Kafka's own FileStreamSource is not served for 4.4 on Maven Central, and 4.3's calls an
// AppInfoParser that kafka-clients 4.4 no longer has.)
import java.util.*;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.*;

public class CountingSource extends SourceConnector {
  private Map<String, String> props;

  @Override public String version() { return "1"; }
  @Override public void start(Map<String, String> props) { this.props = props; }
  @Override public Class<? extends Task> taskClass() { return CountingTask.class; }
  @Override public List<Map<String, String>> taskConfigs(int maxTasks) { return Collections.singletonList(props); }
  @Override public void stop() {}
  @Override public ConfigDef config() {
    return new ConfigDef()
        .define("topic", ConfigDef.Type.STRING, ConfigDef.Importance.HIGH, "where the lines go")
        .define("count", ConfigDef.Type.INT, 50, ConfigDef.Importance.MEDIUM, "how many lines");
  }

  public static class CountingTask extends SourceTask {
    private static final Map<String, String> PARTITION = Collections.singletonMap("source", "counting");
    private String topic;
    private int count;
    private long next;

    @Override public String version() { return "1"; }
    @Override public void start(Map<String, String> props) {
      topic = props.get("topic");
      count = Integer.parseInt(props.getOrDefault("count", "50"));
      Map<String, Object> offset = context.offsetStorageReader().offset(PARTITION);
      next = offset == null ? 0 : ((Number) offset.get("position")).longValue();
    }
    @Override public List<SourceRecord> poll() throws InterruptedException {
      if (next >= count) {
        Thread.sleep(200);
        return null;
      }
      List<SourceRecord> out = new ArrayList<>();
      for (int i = 0; i < 10 && next < count; i++, next++) {
        out.add(new SourceRecord(PARTITION, Collections.singletonMap("position", next + 1), topic, null, null, null, Schema.STRING_SCHEMA, "line-" + next));
      }
      return out;
    }
    @Override public void stop() {}
  }
}
