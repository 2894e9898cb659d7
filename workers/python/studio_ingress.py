"""Publishing realtime events from a process outside the JVM that only reaches Redis.

A worker appends a draft event to the hubs' ingress stream (``XADD studio:rt:ingress * draft <json>``);
one hub replica reads it, sequences it and delivers it to the draft's rooms, in the order the
worker appended. This module is that path for Python, on Debian's ``python3-redis``:

- ``check_draft`` applies the contract's rules a worker can check itself (ids, rooms, the 64 KiB
  body limit), so an oversized draft fails here instead of in the hubs' dead-letter stream;
- ``IngressPublisher.publish`` retries a failed ``XADD`` with capped, jittered backoff, reconnecting
  each time; every draft carries its own idempotency key, so an ``XADD`` that reached Redis before
  the link broke and is sent again is published once;
- ``IngressPublisher.settle`` waits until the hubs have handled the entries and returns the ones
  they parked in the dead-letter stream, with the reason, so a worker can report a refusal.

The names and limits mirror the Java contract (``studio.contract.bus.RedisStreams``,
``studio.contract.envelope.DraftEvent``, ``studio.contract.envelope.Preview``); see
docs/event-contract.md. Run as a script, it publishes one draft read from standard input.
"""

import json
import logging
import re
import sys
import time

import redis
from redis.backoff import EqualJitterBackoff
from redis.retry import Retry

# studio.contract.bus.RedisStreams
INGRESS = "studio:rt:ingress"
INGRESS_FIELD = "draft"
INGRESS_DEAD_LETTERS = INGRESS + ":dead"
DEAD_ENTRY_FIELD = "dead_entry"
DEAD_ERROR_FIELD = "dead_error"
# studio.hub.ingress.StreamIngress.GROUP: the consumer group every hub reads the stream in.
HUB_GROUP = "studio-hub"
# studio.contract.envelope.DraftEvent and RoomKey
DRAFT_FIELDS = ("event_type", "entity_kind", "entity_id", "room_keys", "runtime", "payload", "idempotency_key",
                "entity_version")
MAX_BODY_BYTES = 64 * 1024
MAX_ROOM_KEYS = 32
MAX_IDEMPOTENCY_KEY_LENGTH = 200
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
ROOM_PATTERN = re.compile(r"[a-z_]+:[A-Za-z0-9_-]{1,64}")
# studio.contract.envelope.Preview: a free-text field is cut to this many bytes of UTF-8 JSON.
PREVIEW_MAX_TEXT_BYTES = 8 * 1024

LOG = logging.getLogger("studio_ingress")


class DraftRefused(ValueError):
    """A draft that breaks a contract rule; ``field`` names the offending field, as the hub would."""

    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field = field


class RedisUnavailable(RuntimeError):
    """Redis could not be reached within the retry budget."""


def encoded_size(value):
    """Bytes of ``value`` as compact UTF-8 JSON, the way the hub measures a draft's body."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def preview(text, max_bytes=PREVIEW_MAX_TEXT_BYTES):
    """``(text, truncated)``: ``text`` cut so its JSON string (escapes included) fits ``max_bytes``."""
    if encoded_size(text) - 2 <= max_bytes:
        return text, False
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits
        middle = (low + high + 1) // 2
        if encoded_size(text[:middle]) - 2 <= max_bytes:
            low = middle
        else:
            high = middle - 1
    return text[:low], True


def check_draft(draft):
    """Raises ``DraftRefused`` for a draft the hub would refuse on these rules; returns its JSON."""
    if not isinstance(draft, dict):
        raise DraftRefused("draft", "must be a JSON object")
    for field in draft:
        if field not in DRAFT_FIELDS:
            # A misspelt key would be dropped otherwise (the hub refuses it as well).
            raise DraftRefused(field, f"is not a field of a draft (expected {', '.join(DRAFT_FIELDS)})")
    for field in ("event_type", "entity_kind"):
        if not isinstance(draft.get(field), str) or not draft[field]:
            raise DraftRefused(field, "is required")
    entity_id = draft.get("entity_id")
    if not isinstance(entity_id, str) or not ID_PATTERN.fullmatch(entity_id):
        raise DraftRefused("entity_id", "must be 1-64 letters, digits, '_' or '-'")
    rooms = draft.get("room_keys")
    if not isinstance(rooms, list) or not 1 <= len(rooms) <= MAX_ROOM_KEYS:
        raise DraftRefused("room_keys", f"must hold 1-{MAX_ROOM_KEYS} rooms")
    for index, room in enumerate(rooms):
        if not isinstance(room, str) or not ROOM_PATTERN.fullmatch(room):
            raise DraftRefused(f"room_keys[{index}]", "must be <kind>:<id>, the id 1-64 of [A-Za-z0-9_-]")
    if len(set(rooms)) != len(rooms):
        raise DraftRefused("room_keys", "must not repeat a room")
    key = draft.get("idempotency_key")
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        # Required here although the hub would add one: only the producer's own key makes a
        # repeated XADD (after a link broke mid-reply) one event.
        raise DraftRefused("idempotency_key", f"must be 1-{MAX_IDEMPOTENCY_KEY_LENGTH} characters")
    if not isinstance(draft.get("payload"), dict):
        raise DraftRefused("payload", "must be a JSON object")
    body = encoded_size(draft["payload"]) + (encoded_size(draft["runtime"]) if draft.get("runtime") else 0)
    if body > MAX_BODY_BYTES:
        raise DraftRefused("payload", f"payload and runtime encode to {body} bytes, limit is {MAX_BODY_BYTES}")
    return json.dumps(draft, separators=(",", ":"), ensure_ascii=False)


def stream_id(entry_id):
    """A stream entry id (``<ms>-<seq>``) as a tuple that orders like Redis orders ids."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


class _LoggedBackoff:
    """Redis-py's jittered exponential backoff, saying each wait in the log."""

    def __init__(self, backoff):
        self._backoff = backoff

    def reset(self):
        self._backoff.reset()

    def compute(self, failures):
        delay = self._backoff.compute(failures)
        LOG.warning("redis retry %d in %.2f s", failures, delay)
        return delay


class IngressPublisher:
    """Appends drafts to the ingress stream, riding out Redis outages within ``retries`` attempts."""

    def __init__(self, client, retries=30, backoff_base=0.1, backoff_cap=5.0):
        self._client = client
        self._retry = Retry(_LoggedBackoff(EqualJitterBackoff(cap=backoff_cap, base=backoff_base)), retries)

    @classmethod
    def from_url(cls, url, **options):
        # Short socket timeouts: a hung link counts as a failure and is retried, never waited on forever.
        return cls(redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=2, socket_timeout=5),
                   **options)

    def publish(self, draft):
        """Checks and appends one draft; returns its stream entry id."""
        encoded = check_draft(draft)
        return self._call(lambda: self._client.xadd(INGRESS, {INGRESS_FIELD: encoded}))

    def settle(self, entry_ids, timeout_s, poll_s=0.1):
        """
        Waits until the hubs have handled every entry (published, or parked as dead), then returns
        ``{entry id: reason}`` for the parked ones. Raises ``TimeoutError`` when no hub handled them
        in time: they stay in the stream, and a hub that reads it later publishes them.
        """
        if not entry_ids:
            return {}
        first = min(entry_ids, key=stream_id)
        last = max(entry_ids, key=stream_id)
        deadline = time.monotonic() + timeout_s
        while not self._call(lambda: self._handled(first, last)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no hub handled entries {first}..{last} within {timeout_s} s")
            time.sleep(poll_s)
        return self._call(lambda: self._dead_letters(first, set(entry_ids)))

    def _handled(self, first, last):
        """The hubs' group has been given ``last`` and holds nothing from ``first`` on unacknowledged."""
        try:
            groups = self._client.xinfo_groups(INGRESS)
        except redis.ResponseError:  # no stream yet
            return False
        group = next((g for g in groups if g["name"] == HUB_GROUP), None)
        if group is None or stream_id(group["last-delivered-id"]) < stream_id(last):
            return False
        return not self._client.xpending_range(INGRESS, HUB_GROUP, min=first, max=last, count=1)

    def _dead_letters(self, first, wanted):
        # A parked entry is added to the dead-letter stream after its own entry, so its id is later.
        found, start = {}, first
        while True:
            page = self._client.xrange(INGRESS_DEAD_LETTERS, min=start, max="+", count=100)
            for dead_id, fields in page:
                if fields.get(DEAD_ENTRY_FIELD) in wanted:
                    found[fields[DEAD_ENTRY_FIELD]] = fields.get(DEAD_ERROR_FIELD, "")
            if len(page) < 100:
                return found
            start = "(" + page[-1][0]

    def _call(self, command):
        try:
            return self._retry.call_with_retry(command, self._failed)
        except (redis.ConnectionError, redis.TimeoutError) as error:
            raise RedisUnavailable(f"redis unavailable: {error}") from error

    def _failed(self, error):
        LOG.warning("redis command failed (%s); reconnecting", error)
        # Drop every pooled connection: the next attempt opens a fresh one.
        self._client.connection_pool.disconnect()


def main(argv):
    """``python3 studio_ingress.py [--redis-url URL] < draft.json``: publish one draft and say what became of it."""
    import argparse
    import os

    parser = argparse.ArgumentParser(description="Publish one draft event (standard input) through the Redis ingress.")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))
    parser.add_argument("--settle-timeout-s", type=float, default=10.0,
                        help="wait this long for a hub to publish or refuse it")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        draft = json.load(sys.stdin)
        publisher = IngressPublisher.from_url(args.redis_url)
        entry = publisher.publish(draft)
        LOG.info("appended entry %s", entry)
        dead = publisher.settle([entry], timeout_s=args.settle_timeout_s)
    except ValueError as refused:  # not JSON, or DraftRefused
        LOG.error("draft refused before sending: %s", refused)
        return 2
    except (RedisUnavailable, TimeoutError) as failure:
        LOG.error("%s", failure)
        return 4
    if entry in dead:
        LOG.error("entry %s was dead-lettered by the hub: %s", entry, dead[entry])
        return 3
    LOG.info("entry %s published", entry)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
