package studio.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import studio.runtime.heartbeat.Instances;
import studio.runtime.metrics.SampledGauges;
import studio.tasks.support.TaskDatabase;
import studio.tasks.support.TaskFixture;

/** The heartbeat gauges every worker reports, read from real PostgreSQL rows. */
class WorkerGaugesTest {
  @RegisterExtension final TaskFixture fixture = new TaskFixture();
  private final String service = "worker-" + UUID.randomUUID().toString().substring(0, 8);

  @AfterEach
  void close() {
    fixture.db().count("WITH gone AS (DELETE FROM service_instance WHERE service = $1 RETURNING 1) SELECT count(*) FROM gone",
        service);
  }

  private void beat(Duration ago) {
    fixture.db().count("""
        WITH beat AS (INSERT INTO service_instance (instance_id, service, host, pid, started_at, last_seen_at, details)
          VALUES ($1, $2, 'test', 1, now() - interval '1 hour', now() - make_interval(secs => $3), $4) RETURNING 1)
        SELECT count(*) FROM beat""", UUID.randomUUID().toString(), service, (double) ago.toSeconds(), new JsonObject());
  }

  @Test
  @DisplayName("an instance that stopped beating without deregistering counts as silent for its service until the "
      + "horizon passes; one that beats counts as alive")
  void aliveAndSilent() {
    beat(Duration.ofSeconds(1));
    beat(Duration.ofMinutes(1));
    beat(Instances.SILENT_HORIZON.plusMinutes(1));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SampledGauges gauges = Instances.gauges(fixture.vertx(), fixture.db().pool, registry);
    try {
      TaskDatabase.await(gauges.start());
      assertThat(registry.get("studio_worker_instances_alive").tag("service", service).gauge().value()).isEqualTo(1);
      assertThat(registry.get("studio_worker_instances_silent").tag("service", service).gauge().value()).isEqualTo(1);
    } finally {
      fixture.vertx().runOnContext(stop -> gauges.stop());
    }
  }
}
