package io.fraudstream.job;

import io.fraudstream.avro.DeadLetter;
import io.fraudstream.avro.FraudAlert;
import io.fraudstream.avro.FraudScore;
import io.fraudstream.avro.ModelDescriptor;
import io.fraudstream.avro.RuleSet;
import io.fraudstream.model.SigningKeys;
import io.fraudstream.job.config.CheckpointSettings;
import io.fraudstream.job.config.InvalidConfigurationException;
import io.fraudstream.job.config.StartFrom;
import io.fraudstream.job.pop.PointOfPurchaseInput;
import io.fraudstream.job.scoring.CardStateRocksDBOptions;
import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import io.fraudstream.job.io.AvroRecordSerializer;
import io.fraudstream.job.io.ModelDescriptorDeserializer;
import io.fraudstream.job.io.RawRecord;
import io.fraudstream.job.io.RawRecordDeserializer;
import io.fraudstream.job.io.RuleSetDeserializer;
import io.fraudstream.job.model.StoreModelRepository;
import io.fraudstream.job.scoring.CardStateRocksDBOptions;
import io.fraudstream.job.scoring.RuleStage;
import io.fraudstream.job.scoring.ScoringSettings;
import io.fraudstream.job.validation.ValidationRules;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Entry point of the fraud-scoring job: reads the configuration, builds the Kafka sources and sinks
 * and hands them to {@link FraudScoringPipeline}. The same class runs on a Flink cluster
 * ({@code flink run flink-job-*-job.jar --kafka.bootstrap-servers ... --model.store ...}) and in the
 * embedded local runner.
 */
public final class FraudScoringJob {

    public static final String JOB_NAME = "fraud-scoring";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FraudScoringJob.class);

    private FraudScoringJob() {}

    public static void main(String[] args) throws Exception {
        JobConfig config;
        try {
            config = JobConfig.fromArgs(args);
        } catch (InvalidConfigurationException e) {
            System.err.println("fraud-scoring: " + e.getMessage());
            System.exit(2);
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(config));
        try {
            build(env, config);
        } catch (InvalidConfigurationException e) {
            // Settings that conflict with the cluster's configuration are only known here.
            System.err.println("fraud-scoring: " + e.getMessage());
            System.exit(2);
            return;
        }
        env.execute(JOB_NAME);
    }

    /** Flink settings from the configuration plus the job's non-negotiables (no generic types). */
    /** Flink's {@code RocksDBOptions.OPTIONS_FACTORY} key. */
    static final String ROCKSDB_OPTIONS_FACTORY = "state.backend.rocksdb.options-factory";

    public static Configuration flinkConfiguration(JobConfig config) {
        Configuration flink = config.flinkConfiguration();
        // Anything that would silently fall back to Kryo fails at graph construction instead.
        flink.set(PipelineOptions.GENERIC_TYPES, false);
        // Flink flushes network buffers every 100 ms by default, which would dominate a fraud score's
        // latency; 5 ms keeps batching at high rates. A cluster can still override it.
        // Key groups fix how far the job can scale out from a savepoint: pin them explicitly so the
        // first deployment's default cannot silently cap later rescaling.
        if (!flink.contains(PipelineOptions.MAX_PARALLELISM)) {
            flink.set(PipelineOptions.MAX_PARALLELISM, 128);
        }
        if (!flink.contains(ExecutionOptions.BUFFER_TIMEOUT)) {
            flink.set(ExecutionOptions.BUFFER_TIMEOUT, java.time.Duration.ofMillis(5));
        }
        // RocksDB compaction tuned for the card state's writes (CardStateRocksDBOptions); ignored by the heap backend.
        if (!flink.containsKey(ROCKSDB_OPTIONS_FACTORY)) {
            flink.setString(ROCKSDB_OPTIONS_FACTORY, CardStateRocksDBOptions.class.getName());
        }
        return flink;
    }

    /** Wires Kafka sources, the scoring topology and Kafka sinks into {@code env}. */
    public static FraudScoringPipeline.Outputs build(StreamExecutionEnvironment env, JobConfig config) {
        if (!env.getConfiguration().toMap().containsKey("execution.checkpointing.dir")) {
            // Without it Flink keeps checkpoints in JobManager memory, capped at 5 MB of state: card
            // histories outgrow that quickly and every checkpoint then fails.
            LOG.warn("execution.checkpointing.dir is not set: checkpoints go to JobManager memory (5 MB limit); "
                    + "set it (e.g. --execution.checkpointing.dir s3://bucket/fraudstream/checkpoints)");
        }
        configureCheckpointing(env, config);
        LOG.info("Reading {} from {} when the job has no checkpoint or savepoint to resume from ({} = {})",
                config.get(JobOptions.TRANSACTIONS_TOPIC), config.startFrom().describe(), JobOptions.START_FROM.key(),
                config.get(JobOptions.START_FROM));
        int parallelism = config.get(JobOptions.PARALLELISM);
        if (parallelism > 0) {
            env.setParallelism(parallelism);
        }

        DataStream<RawRecord> transactions = env.fromSource(transactionsSource(config),
                        WatermarkStrategy.noWatermarks(), "transactions")
                .uid(JobStreams.UID_TRANSACTIONS_SOURCE);
        DataStream<ModelDescriptor> modelUpdates = env.fromSource(modelUpdatesSource(config),
                        WatermarkStrategy.noWatermarks(), "model-updates")
                .uid(JobStreams.UID_MODEL_UPDATES_SOURCE)
                .setParallelism(1);

        PointOfPurchaseInput pop = PointOfPurchaseInput.off();
        if (config.get(JobOptions.POP_ENABLED)) {
            DataStream<RawRecord> labels = env.fromSource(labelsSource(config), WatermarkStrategy.noWatermarks(),
                            "fraud-labels")
                    .uid(JobStreams.UID_LABELS_SOURCE);
            pop = PointOfPurchaseInput.live(labels, config.get(JobOptions.POP_FLUSH_INTERVAL).toMillis(),
                    config.get(JobOptions.POP_PARALLELISM));
        }
        DataStream<RuleSet> ruleSets = null;
        RuleStage.Settings ruleSettings = RuleStage.Settings.OFF;
        if (config.get(JobOptions.RULES_ENABLED)) {
            ruleSets = env.fromSource(rulesSource(config), WatermarkStrategy.noWatermarks(), "rules")
                    .uid(JobStreams.UID_RULES_SOURCE)
                    .setParallelism(1);
            ruleSettings = ruleSettings(config);
        }
        FraudScoringPipeline.Outputs outputs = FraudScoringPipeline.build(transactions, modelUpdates, ruleSets,
                ruleSettings, pop, ValidationRules.from(config), ScoringSettings.from(config),
                StoreModelRepository.factory(config));

        attachSinks(outputs, config);
        return outputs;
    }

    /**
     * Checkpointing as the cluster's configuration (or Flink keys among the job arguments) says, with the job's
     * defaults for what nobody set ({@link CheckpointSettings}); logged, and returned for tests.
     */
    public static CheckpointSettings configureCheckpointing(StreamExecutionEnvironment env, JobConfig config) {
        CheckpointSettings checkpoints = CheckpointSettings.resolve(env.getConfiguration(), config);
        env.configure(checkpoints.configuration());
        LOG.info("Checkpointing: {}", checkpoints.describe());
        return checkpoints;
    }

    /** Writes each output of the topology to its Kafka topic with the configured delivery guarantee. */
    public static void attachSinks(FraudScoringPipeline.Outputs outputs, JobConfig config) {
        outputs.scores().sinkTo(sink(config, JobOptions.SCORES_TOPIC, FraudScore.class, FraudScore::getCardId, "scores"))
                .uid(JobStreams.UID_SCORES_SINK).name("fraud-scores sink");
        outputs.alerts().sinkTo(sink(config, JobOptions.ALERTS_TOPIC, FraudAlert.class,
                        a -> a.getScore().getCardId(), "alerts"))
                .uid(JobStreams.UID_ALERTS_SINK).name("fraud-alerts sink");
        outputs.shadowScores().sinkTo(sink(config, JobOptions.SHADOW_SCORES_TOPIC, FraudScore.class,
                        FraudScore::getCardId, "shadow"))
                .uid(JobStreams.UID_SHADOW_SINK).name("fraud-scores-shadow sink");
        outputs.deadLetters().sinkTo(sink(config, JobOptions.DEAD_LETTER_TOPIC, DeadLetter.class,
                        d -> d.getSourceTopic() + "-" + d.getSourcePartition() + "@" + d.getSourceOffset(), "dlq"))
                .uid(JobStreams.UID_DLQ_SINK).name("dead-letter sink");
    }

    /** Transactions, raw, from {@code kafka.start-from} (a restored job: from its snapshot's offsets). */
    public static KafkaSource<RawRecord> transactionsSource(JobConfig config) {
        return rawSource(config, JobOptions.TRANSACTIONS_TOPIC, config.get(JobOptions.GROUP_ID),
                startingOffsets(config.startFrom()));
    }

    /**
     * Fraud labels, raw: decoded (and dead-lettered when bad) inside the topology like transactions. From the
     * committed offsets, else the beginning: labels only count frauds, they never alert, and recent ones matter.
     */
    public static KafkaSource<RawRecord> labelsSource(JobConfig config) {
        return rawSource(config, JobOptions.LABELS_TOPIC, config.get(JobOptions.GROUP_ID) + "-labels",
                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
    }

    /** Where a job without a snapshot starts reading transactions. */
    static OffsetsInitializer startingOffsets(StartFrom startFrom) {
        return switch (startFrom.kind()) {
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST);
            case LATEST -> OffsetsInitializer.latest();
            case EARLIEST -> OffsetsInitializer.earliest();
            case TIMESTAMP -> OffsetsInitializer.timestamp(startFrom.timestamp().toEpochMilli());
        };
    }

    /** Undecoded records of one topic from {@code start}, bounded in replay mode. */
    private static KafkaSource<RawRecord> rawSource(JobConfig config, ConfigOption<String> topic, String groupId,
            OffsetsInitializer start) {
        KafkaSourceBuilder<RawRecord> builder = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(config.get(JobOptions.BOOTSTRAP_SERVERS))
                .setTopics(config.get(topic))
                .setGroupId(groupId)
                .setStartingOffsets(start)
                .setDeserializer(new RawRecordDeserializer())
                .setProperties(consumerProperties(config));
        if (config.get(JobOptions.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    public static KafkaSource<ModelDescriptor> modelUpdatesSource(JobConfig config) {
        // Always from the beginning: the topic is compacted and small; the function ignores old versions.
        KafkaSourceBuilder<ModelDescriptor> builder = KafkaSource.<ModelDescriptor>builder()
                .setBootstrapServers(config.get(JobOptions.BOOTSTRAP_SERVERS))
                .setTopics(config.get(JobOptions.MODEL_UPDATES_TOPIC))
                .setGroupId(config.get(JobOptions.GROUP_ID) + "-models")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new ModelDescriptorDeserializer())
                .setProperties(consumerProperties(config));
        if (config.get(JobOptions.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /** Rule sets, always from the beginning (compacted and small; older versions are refused as replayed). */
    public static KafkaSource<RuleSet> rulesSource(JobConfig config) {
        KafkaSourceBuilder<RuleSet> builder = KafkaSource.<RuleSet>builder()
                .setBootstrapServers(config.get(JobOptions.BOOTSTRAP_SERVERS))
                .setTopics(config.get(JobOptions.RULES_TOPIC))
                .setGroupId(config.get(JobOptions.GROUP_ID) + "-rules")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new RuleSetDeserializer())
                .setProperties(consumerProperties(config));
        if (config.get(JobOptions.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /** Rules on, verified with the model-signing public key (read now: a bad file fails the submission). */
    static RuleStage.Settings ruleSettings(JobConfig config) {
        String file = config.get(JobOptions.MODEL_PUBLIC_KEY);
        try {
            return new RuleStage.Settings(true, SigningKeys.loadPublicKey(java.nio.file.Path.of(file)).getEncoded());
        } catch (java.io.IOException | RuntimeException e) {
            throw new InvalidConfigurationException("invalid setting '" + JobOptions.MODEL_PUBLIC_KEY.key() + "' = '"
                    + file + "': " + e.getMessage());
        }
    }

    private static Properties consumerProperties(JobConfig config) {
        Properties props = config.kafkaProperties();
        // Only committed records of transactional producers are scored.
        props.putIfAbsent("isolation.level", "read_committed");
        props.putIfAbsent("partition.discovery.interval.ms", "60000");
        return props;
    }

    static <T extends SpecificRecord> KafkaSink<T> sink(JobConfig config, org.apache.flink.configuration.ConfigOption<String> topic,
            Class<T> type, SerializableFunction<T, String> key, String name) {
        JobOptions.Delivery delivery = config.get(JobOptions.DELIVERY);
        Properties props = config.kafkaProperties();
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // Must not exceed the broker's transaction.max.timeout.ms (15 min by default).
        props.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "900000");
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.get(JobOptions.BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(props)
                .setRecordSerializer(new AvroRecordSerializer<>(config.get(topic), type, key))
                .setDeliveryGuarantee(delivery == JobOptions.Delivery.EXACTLY_ONCE
                        ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(config.get(JobOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name)
                .build();
    }
}
