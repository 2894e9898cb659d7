package studio.hub;

import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import studio.embedded.RedisTopology;

/** The two-replica fan-out (and resume on the other replica) against a real multi-server Redis topology. */
@Tag("redis-topology")
abstract class RedisTopologyHubClusterTest extends HubClusterTest {
  private final RedisTopology redis;

  RedisTopologyHubClusterTest(Supplier<RedisTopology> topology) {
    this.redis = topology.get();
  }

  @Override
  String redisUrl() {
    return redis.url();
  }

  /** Fewer events than on one Redis: the point is the topology, and the suite must stay fast. */
  @Override
  int events() {
    return 2_000;
  }

  /** Redis goes after the replicas, so their shutdown still reaches it. */
  @AfterAll
  @Override
  void stopReplicas() throws Exception {
    try {
      super.stopReplicas();
    } finally {
      redis.close();
    }
  }
}
