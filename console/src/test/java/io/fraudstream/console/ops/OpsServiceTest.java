package io.fraudstream.console.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OpsServiceTest {

    @Test
    @SuppressWarnings("unchecked")
    void readsTheJobsFiguresFromPrometheusText() {
        String text = """
                # HELP flink_taskmanager_job_task_operator_fraudstreamRecordsIn x
                # TYPE flink_taskmanager_job_task_operator_fraudstreamRecordsIn gauge
                flink_taskmanager_job_task_operator_fraudstreamRecordsIn{subtask_index="0",} 1200.0
                flink_taskmanager_job_task_operator_fraudstreamRecordsIn{subtask_index="1",} 800.0
                flink_taskmanager_job_task_operator_reason_fraudstreamDeadLetters{reason="UNDECODABLE",subtask_index="0",} 3.0
                flink_taskmanager_job_task_operator_reason_fraudstreamDeadLetters{reason="UNDECODABLE",subtask_index="1",} 2.0
                flink_taskmanager_job_task_operator_reason_fraudstreamDeadLetters{reason="INVALID_AMOUNT",subtask_index="0",} 1.0
                flink_taskmanager_job_task_operator_fraudstreamEndToEndLatencyMs{quantile="0.99",subtask_index="0",} 41.0
                flink_taskmanager_job_task_operator_fraudstreamEndToEndLatencyMs{quantile="0.99",subtask_index="1",} 57.0
                flink_taskmanager_job_task_operator_fraudstreamEndToEndLatencyMs{quantile="0.5",subtask_index="1",} NaN
                """;
        Map<String, Object> m = OpsService.jobMetrics(text);
        assertThat((Map<Object, Object>) m.get("totals")).containsEntry("fraudstreamRecordsIn", 2000.0);
        assertThat((Map<Object, Object>) m.get("deadLettersByReason")).containsEntry("UNDECODABLE", 5.0)
                .containsEntry("INVALID_AMOUNT", 1.0);
        assertThat((Map<Object, Object>) m.get("endToEndLatencyMs")).containsEntry("p0.99", 57.0).doesNotContainKey("p0.5");
    }
}
