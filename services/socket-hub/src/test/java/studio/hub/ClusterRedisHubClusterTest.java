package studio.hub;

import studio.embedded.RedisTopology;

/** {@link HubClusterTest} with Redis as a real Cluster (3 masters, 3 replicas). */
class ClusterRedisHubClusterTest extends RedisTopologyHubClusterTest {
  ClusterRedisHubClusterTest() {
    super(RedisTopology::cluster);
  }
}
