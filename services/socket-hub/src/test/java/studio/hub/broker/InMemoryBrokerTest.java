package studio.hub.broker;

import io.vertx.core.Vertx;

class InMemoryBrokerTest extends BrokerContractTest {
  @Override
  Broker create(Vertx vertx, HistoryPolicy policy) {
    return new InMemoryBroker(vertx, policy);
  }
}
