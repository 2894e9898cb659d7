-- Sequences a batch of events in one call, in batch order: for each draft what publish.lua does in
-- mode 'A' (sequence, idempotency, every room of the event). On a Redis Cluster RedisBroker sends only
-- drafts whose keys all share one hash slot, one call per slot (docs/architecture.md "Batch publish").
-- KEYS, per draft: its stream sequence counter, its idempotency record (the counter again without a
-- key), then 2 per room: the room's meta hash and history stream.
-- ARGV[1] idempotency window ms, ARGV[2] now ms, ARGV[3] history max length, ARGV[4] history max age
-- ms, ARGV[5] room ttl ms, ARGV[6] fan-out command ('PUBLISH', or 'SPUBLISH' on a Cluster);
-- then per draft: '1' when it has an idempotency key, the epoch for a room it creates, envelope JSON
-- before the sequence, envelope JSON after it, its room count n, then n pairs of room name and channel.
-- Returns {status, result} per draft, flattened: as publish.lua's (0 fresh, 1 duplicate, 2 pending).
local window, room_ttl, fanout = ARGV[1], ARGV[5], ARGV[6]
-- The master's replication id, read once per batch.
local settings = {replid = master_replid(), now = ARGV[2], max_len = ARGV[3],
  max_age = ARGV[4], ttl = room_ttl, fanout = fanout, epochs = {}, kept = {}}

local replies = {}
local k, a = 1, 7
while a <= #ARGV do
  local idempotent = ARGV[a] == '1'
  local rooms = tonumber(ARGV[a + 4])
  local sequence_key, idempotency_key = KEYS[k], KEYS[k + 1]
  local prior = idempotent and redis.call('GET', idempotency_key)
  if prior and string.sub(prior, 1, 2) == 'P\n' then
    replies[#replies + 1] = 2
    replies[#replies + 1] = string.sub(prior, 3)
  elseif prior then
    replies[#replies + 1] = 1
    replies[#replies + 1] = prior
  else
    local sequence = string.format('%d', redis.call('INCR', sequence_key))
    keep_alive(sequence_key, room_ttl, settings)
    local envelope = ARGV[a + 2] .. sequence .. ARGV[a + 3]
    local lines = {envelope}
    for r = 1, rooms do
      lines[#lines + 1] = append_to_room(KEYS[k + 2 * r], KEYS[k + 2 * r + 1], ARGV[a + 3 + 2 * r],
          ARGV[a + 4 + 2 * r], envelope, ARGV[a + 1], settings)
    end
    local result = table.concat(lines, '\n')
    if idempotent then
      redis.call('SET', idempotency_key, result, 'PX', window)
    end
    replies[#replies + 1] = 0
    replies[#replies + 1] = result
  end
  k = k + 2 + 2 * rooms
  a = a + 5 + 2 * rooms
end
return replies
