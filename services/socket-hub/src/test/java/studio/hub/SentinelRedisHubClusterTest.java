package studio.hub;

import studio.embedded.RedisTopology;

/** {@link HubClusterTest} with Redis as a real Sentinel set-up (master, replica, 3 Sentinels). */
class SentinelRedisHubClusterTest extends RedisTopologyHubClusterTest {
  SentinelRedisHubClusterTest() {
    super(RedisTopology::sentinel);
  }
}
