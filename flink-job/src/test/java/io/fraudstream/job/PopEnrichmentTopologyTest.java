package io.fraudstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fraudstream.job.config.JobConfig;
import io.fraudstream.job.config.JobOptions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.runtime.partitioner.BroadcastPartitioner;
import org.apache.flink.streaming.runtime.partitioner.CustomPartitionerWrapper;
import org.apache.flink.streaming.runtime.partitioner.GlobalPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The point-of-purchase enrichment step as the production job wires it (docs/POINT_OF_PURCHASE.md): its broadcast
 * state is held once per enrichment subtask, so the step runs on {@code point-of-purchase.parallelism} subtasks (1 by
 * default) whatever the job's parallelism, and the edge into it sends all of a card's transactions down one channel
 * (a rebalance would let them overtake each other on the way to the card keyBy).
 */
class PopEnrichmentTopologyTest {

    @TempDir
    static Path dir;

    private static StreamGraph graph(Map<String, String> extra) throws Exception {
        Map<String, String> values = new HashMap<>(SignedModelStore.create(dir, "topo-000001", 0.5, true));
        values.putAll(SignedModelStore.topics("topo"));
        values.put(JobOptions.BOOTSTRAP_SERVERS.key(), "localhost:9");
        values.put(JobOptions.POP_ENABLED.key(), "true");
        values.put(JobOptions.PARALLELISM.key(), "4");
        values.putAll(extra);
        JobConfig config = JobConfig.fromMap(values);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                FraudScoringJob.flinkConfiguration(config));
        FraudScoringJob.attachSinks(FraudScoringJob.build(env, config), config);
        return env.getStreamGraph();
    }

    private static StreamNode node(StreamGraph graph, String uid) {
        return graph.getStreamNodes().stream().filter(n -> uid.equals(n.getTransformationUID())).findFirst()
                .orElseThrow(() -> new AssertionError("no operator with uid " + uid));
    }

    private static StreamEdge transactionsEdge(StreamGraph graph, StreamNode enrich) {
        List<StreamEdge> in = enrich.getInEdges().stream()
                .filter(e -> !(e.getPartitioner() instanceof BroadcastPartitioner)).toList();
        assertThat(in).as("one non-broadcast input: the validated transactions").hasSize(1);
        assertThat(graph.getStreamNode(in.get(0).getSourceId()).getTransformationUID()).isEqualTo(JobStreams.UID_DECODE);
        return in.get(0);
    }

    @Test
    void byDefaultOneSubtaskHoldsTheCountsAndEveryTransactionReachesItInItsChannelsOrder() throws Exception {
        StreamGraph graph = graph(Map.of());
        StreamNode enrich = node(graph, JobStreams.UID_POP_ENRICH);
        assertThat(enrich.getParallelism()).isEqualTo(1);
        assertThat(node(graph, JobStreams.UID_DECODE).getParallelism()).isEqualTo(4);
        assertThat(node(graph, JobStreams.UID_SCORE).getParallelism()).isEqualTo(4);
        assertThat(transactionsEdge(graph, enrich).getPartitioner()).isInstanceOf(GlobalPartitioner.class);
        assertThat(enrich.getInEdges()).anyMatch(e -> e.getPartitioner() instanceof BroadcastPartitioner);
    }

    @Test
    void moreEnrichmentSubtasksArePartitionedByCardNeverRebalanced() throws Exception {
        StreamGraph graph = graph(Map.of(JobOptions.POP_PARALLELISM.key(), "3"));
        StreamNode enrich = node(graph, JobStreams.UID_POP_ENRICH);
        assertThat(enrich.getParallelism()).isEqualTo(3);
        assertThat(transactionsEdge(graph, enrich).getPartitioner()).isInstanceOf(CustomPartitionerWrapper.class);
    }

    @Test
    void aCardAlwaysGoesToTheSameEnrichmentSubtaskAndCardsSpreadOverAll() {
        FraudScoringPipeline.CardPartitioner partitioner = new FraudScoringPipeline.CardPartitioner();
        for (int i = 0; i < 1_000; i++) {
            String card = "tok-" + i;
            int first = partitioner.partition(card, 3);
            assertThat(first).isBetween(0, 2);
            assertThat(partitioner.partition(new String(card.toCharArray()), 3)).isEqualTo(first);
        }
        Set<Integer> used = IntStream.range(0, 100).mapToObj(i -> partitioner.partition("tok-" + i, 3))
                .collect(Collectors.toSet());
        assertThat(used).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void aParallelismBelowOneIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> graph(Map.of(JobOptions.POP_PARALLELISM.key(), "0")))
                .hasMessageContaining("point-of-purchase.parallelism");
    }
}
