// Prints fraud alerts as they arrive (compose service "alerts": docker compose logs -f alerts):
//   java -cp <schemas + kafka-clients + avro> deploy/compose/PrintAlerts.java BOOTSTRAP [TOPIC]
// One line per alert: card token, transaction, score, amount, model version, then the reasons. Reads with
// its own consumer group from the earliest offset, so a restart continues where it stopped.
// A single-file program (java runs the source): deployment glue, not part of any module's API.

import io.fraudstream.avro.FraudAlert;
import io.fraudstream.schemas.AvroCodec;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class PrintAlerts {

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: PrintAlerts BOOTSTRAP [TOPIC]");
            System.exit(2);
        }
        String topic = args.length > 1 ? args[1] : "fraud-alerts";
        AvroCodec<FraudAlert> codec = AvroCodec.of(FraudAlert.class);
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
                ConsumerConfig.GROUP_ID_CONFIG, "alerts-printer",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            System.out.println("alerts: following " + topic + " on " + args[0]);
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    try {
                        System.out.println(format(codec.decode(r.value())));
                    } catch (Exception e) {
                        System.out.println("alerts: undecodable record at " + r.partition() + "@" + r.offset() + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    static String format(FraudAlert a) {
        return String.format(Locale.ROOT, "ALERT card=%s tx=%s score=%.3f (threshold %.3f) amount=%.2f %s model=%s%n      %s",
                a.getScore().getCardId(), a.getScore().getTransactionId(), a.getScore().getScore(),
                a.getScore().getThreshold(), a.getAmountMinor() / 100.0, a.getCurrency(), a.getScore().getModelVersion(),
                String.join("\n      ", a.getReasons()));
    }
}
