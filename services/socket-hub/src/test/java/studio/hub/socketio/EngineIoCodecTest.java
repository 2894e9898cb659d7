package studio.hub.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.error.ContractException;
import studio.hub.transport.EncodedText;

/**
 * The codecs against the examples published with the protocols: Engine.IO v4
 * (https://socket.io/docs/v4/engine-io-protocol/) and Socket.IO v5 (https://socket.io/docs/v4/socket-io-protocol/).
 */
class EngineIoCodecTest {

  @Test
  @DisplayName("Engine.IO packets: type digit then data, as in the spec's examples")
  void enginePackets() {
    assertThat(EnginePacket.decode("4hello")).isEqualTo(EnginePacket.message("hello"));
    assertThat(EnginePacket.decode("2probe")).isEqualTo(new EnginePacket(EnginePacket.Type.PING, "probe"));
    assertThat(EnginePacket.decode("3")).isEqualTo(new EnginePacket(EnginePacket.Type.PONG, ""));
    assertThat(EnginePacket.decode("5").type()).isEqualTo(EnginePacket.Type.UPGRADE);
    assertThat(EnginePacket.NOOP.encode()).isEqualTo("6");
    assertThat(EnginePacket.CLOSE.encode()).isEqualTo("1");
    assertThat(new EnginePacket(EnginePacket.Type.PONG, "probe").encode()).isEqualTo("3probe");
  }

  @Test
  @DisplayName("the polling payload joins packets with the record separator \\x1e, and splits them back")
  void pollingPayload() {
    assertThat(EnginePacket.encodePayload(List.of("4hello", "4€"))).isEqualTo("4hello\u001e4€");
    assertThat(EnginePacket.decodePayload("4hello\u001e4€"))
        .containsExactly(EnginePacket.message("hello"), EnginePacket.message("€"));
    assertThat(EnginePacket.decodePayload("3")).containsExactly(new EnginePacket(EnginePacket.Type.PONG, ""));
  }

  @Test
  @DisplayName("a binary packet (b + base64), an unknown type or an empty record is refused as bad_frame")
  void hostileEnginePackets() {
    assertThatThrownBy(() -> EnginePacket.decodePayload("4hello\u001ebAQIDBA==")).isInstanceOf(ContractException.class)
        .hasMessageContaining("binary");
    assertThatThrownBy(() -> EnginePacket.decode("9")).hasMessageContaining("unknown Engine.IO packet type");
    assertThatThrownBy(() -> EnginePacket.decodePayload("4a\u001e\u001e4b")).hasMessageContaining("empty");
  }

  @Test
  @DisplayName("the handshake's OPEN packet carries sid, upgrades, pingInterval, pingTimeout and maxPayload")
  void openPacket() {
    EngineOptions options = new EngineOptions(Duration.ofMillis(25000), Duration.ofMillis(20000), 1000000);
    String open = options.open("lv_VI97HAXpY6yYWAAAC", true).encode();
    assertThat(open.charAt(0)).isEqualTo('0');
    assertThat(new JsonObject(open.substring(1))).isEqualTo(new JsonObject(
        "{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,\"pingTimeout\":20000,"
            + "\"maxPayload\":1000000}"));
    assertThat(new JsonObject(options.open("s", false).data()).getJsonArray("upgrades")).isEmpty();
  }

  @Test
  @DisplayName("Socket.IO packets decode as in the spec's examples")
  void socketPacketsDecode() {
    assertThat(SocketPacket.decode("0")).isEqualTo(new SocketPacket(SocketPacket.Type.CONNECT, "/", null, null));
    assertThat(SocketPacket.decode("0/admin,{\"token\":\"123\"}"))
        .isEqualTo(new SocketPacket(SocketPacket.Type.CONNECT, "/admin", null, new JsonObject().put("token", "123")));
    assertThat(SocketPacket.decode("2[\"hello\",1]"))
        .isEqualTo(new SocketPacket(SocketPacket.Type.EVENT, "/", null, new JsonArray().add("hello").add(1)));
    SocketPacket withAck = SocketPacket.decode("2/admin,456[\"project:delete\",123]");
    assertThat(withAck).isEqualTo(new SocketPacket(SocketPacket.Type.EVENT, "/admin", 456L,
        new JsonArray().add("project:delete").add(123)));
    assertThat(withAck.eventName()).isEqualTo("project:delete");
    assertThat(withAck.eventArgument()).isEqualTo(123);
    assertThat(SocketPacket.decode("3/admin,456[]"))
        .isEqualTo(new SocketPacket(SocketPacket.Type.ACK, "/admin", 456L, new JsonArray()));
    assertThat(SocketPacket.decode("1/admin,")).isEqualTo(SocketPacket.disconnect("/admin"));
  }

  @Test
  @DisplayName("Socket.IO packets encode as in the spec's examples")
  void socketPacketsEncode() {
    assertThat(SocketPacket.connected("/admin", "oSO0OpakMV_3jnilAAAA").encode())
        .isEqualTo("0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}");
    assertThat(SocketPacket.connectError("/", "Not authorized", null).encode()).isEqualTo("4{\"message\":\"Not authorized\"}");
    assertThat(SocketPacket.event("/", "hello", 1).encode()).isEqualTo("2[\"hello\",1]");
    assertThat(SocketPacket.ack("/admin", 456, new JsonObject()).encode()).isEqualTo("3/admin,456[{}]");
    assertThat(SocketPacket.disconnect("/admin").encode()).isEqualTo("1/admin,");
    assertThat(EnginePacket.message(SocketPacket.event("/rt", "rt.event", new JsonObject()).encode()).encode())
        .isEqualTo("42/rt,[\"rt.event\",{}]");
  }

  @Test
  @DisplayName("a malformed Socket.IO packet is refused as bad_frame naming what is wrong")
  void hostileSocketPackets() {
    assertThatThrownBy(() -> SocketPacket.decode("")).isInstanceOf(ContractException.class);
    assertThatThrownBy(() -> SocketPacket.decode("7")).hasMessageContaining("type digit");
    assertThatThrownBy(() -> SocketPacket.decode("2/rt,[1,2]")).hasMessageContaining("event name");
    assertThatThrownBy(() -> SocketPacket.decode("2/rt,{\"a\":1}")).hasMessageContaining("event name");
    assertThatThrownBy(() -> SocketPacket.decode("2/rt,[\"x\"")).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> SocketPacket.decode("0/rt,\"token\"")).hasMessageContaining("object or array");
    assertThatThrownBy(() -> SocketPacket.decode("0/rt,[1]")).hasMessageContaining("CONNECT");
    assertThatThrownBy(() -> SocketPacket.decode("3/rt,[]")).hasMessageContaining("ACK");
    assertThatThrownBy(() -> SocketPacket.decode("5/rt,1-[\"x\",{}]")).hasMessageContaining("binary");
  }

  @Test
  @DisplayName("an event frame becomes the envelope under its event_type, then rt.event with room, offset, epoch, event")
  void eventPackets() {
    String envelope = "{\"idempotency_key\":\"k\",\"sequence\":3,\"event_type\":\"task.progress\",\"payload\":{\"event_type\":\"x\"}}";
    String frame = "{\"op\":\"event\",\"room\":\"task:1\",\"offset\":3,\"epoch\":\"e1\",\"event\":" + envelope + "}";
    EventPackets packets = new EventPackets();
    EventPackets.Translation translated = packets.translate(frame);
    assertThat(translated.packets()).extracting(EncodedText::text).containsExactly(
        "42/rt,[\"task.progress\"," + envelope + "]",
        "42/rt,[\"rt.event\",{\"room\":\"task:1\",\"offset\":3,\"epoch\":\"e1\",\"event\":" + envelope + "}]");
    // The WebSocket bytes are the same packets, encoded once and readable any number of times.
    for (int i = 0; i < 2; i++) {
      EncodedText packet = translated.packets()[i];
      assertThat(packet.view().toString(StandardCharsets.UTF_8)).isEqualTo(packet.text());
      assertThat(packet.view().toString(StandardCharsets.UTF_8)).isEqualTo(packet.text());
    }
    assertThat(packets.translate(frame)).isSameAs(translated);
    String conflated = packets.translate("{\"conflated\":2," + frame.substring(1)).packets()[1].text();
    assertThat(new JsonArray(conflated.substring("42/rt,".length())).getJsonObject(1).getInteger("conflated")).isEqualTo(2);
  }
}
