package studio.hub;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import studio.testsupport.RedisTopology;

/** The two-replica fan-out (and resume on the other replica) with Redis as a real Cluster (3 masters, 3 replicas). */
@Tag("redis-topology")
class ClusterRedisHubClusterTest extends HubClusterTest {
  private final RedisTopology redis = RedisTopology.cluster();

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
