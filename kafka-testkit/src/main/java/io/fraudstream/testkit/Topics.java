package io.fraudstream.testkit;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Topic creation that returns only when every partition has a leader. */
final class Topics {

    private Topics() {}

    static void createAndAwaitLeaders(String bootstrap, Map<String, Object> clientProps,
            Map<String, Integer> partitionsByTopic, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            List<NewTopic> topics = partitionsByTopic.entrySet().stream()
                    .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1))
                    .toList();
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(List.of(topic)).all().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic.name(), e.getCause());
                    }
                }
            }
            awaitLeaders(admin, partitionsByTopic.keySet(), deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topics " + partitionsByTopic.keySet(), e);
        }
    }

    private static void awaitLeaders(Admin admin, Set<String> names, long deadline)
            throws InterruptedException, TimeoutException {
        while (true) {
            try {
                Map<String, TopicDescription> described =
                        admin.describeTopics(names).allTopicNames().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
                boolean allLed = described.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && !leader.isEmpty());
                if (allLed) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("cannot describe topics " + names, e.getCause());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + names + " still have no leader");
            }
            // Polling a broker-side condition: there is no notification to wait on.
            Thread.sleep(50);
        }
    }

    private static long remainingMillis(long deadlineNanos) throws TimeoutException {
        long remaining = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (remaining <= 0) {
            throw new TimeoutException("deadline passed");
        }
        return remaining;
    }
}
