-- Sequences one event and appends it to rooms. Redis runs a script alone, so Redis itself orders
-- publishes; on a Redis Cluster one call only touches keys of one hash slot, so RedisBroker runs it
-- once per slot group (docs/architecture.md "Sequencing on a Redis Cluster").
-- ARGV[10] mode:
--   'A' all: sequence + idempotency + every room of the event, atomically (one Redis, or one slot);
--   'S' stream: sequence + idempotency + the rooms sharing the stream's slot; the idempotency record
--       is left 'pending' (prefix 'P') until RedisBroker stores the final result after the other slots;
--   'R' rooms: the rooms of one other slot, for an envelope already sequenced (ARGV[7] is the whole
--       envelope); with an idempotency key each room keeps an 'applied' mark, so a retry that
--       completes a half-applied publish finds its line instead of appending the event again.
-- KEYS[1] stream sequence counter, KEYS[2] idempotency record (mode 'R': any key of the slot, unused),
-- KEYS[3i], KEYS[3i+1], KEYS[3i+2] room i's meta hash, history stream and applied mark.
-- ARGV[1] '1' when an idempotency key is given, ARGV[2] idempotency window ms, ARGV[3] now ms,
-- ARGV[4] history max length, ARGV[5] history max age ms, ARGV[6] epoch for a room created now,
-- ARGV[7] envelope JSON before the sequence, ARGV[8] envelope JSON after it, ARGV[9] room ttl ms,
-- ARGV[10] mode, ARGV[11] fan-out command ('PUBLISH', or 'SPUBLISH' on a Cluster),
-- ARGV[10+2i], ARGV[11+2i] room i's name and fan-out channel.
-- Returns {status, envelope .. '\n' .. one 'room offset epoch' line per room}; status 0 fresh,
-- 1 duplicate (the first result), 2 pending (a half-applied publish: these rooms already hold it).
local mode = ARGV[10]
local idempotent = ARGV[1] == '1'
if idempotent and mode ~= 'R' then
  local prior = redis.call('GET', KEYS[2])
  if prior and string.sub(prior, 1, 2) == 'P\n' then
    return {2, string.sub(prior, 3)}
  elseif prior then
    return {1, prior}
  end
end

local envelope = ARGV[7]
if mode ~= 'R' then
  -- %d, not '..': see room_append.lua.
  local sequence = string.format('%d', redis.call('INCR', KEYS[1]))
  -- The counter lives as long as the rooms it feeds (each refreshed to the room TTL below), so a stream
  -- silent that long is forgotten and restarts at 1 together with new epochs: docs/architecture.md.
  redis.call('PEXPIRE', KEYS[1], ARGV[9])
  envelope = ARGV[7] .. sequence .. ARGV[8]
end
local settings = {replid = master_replid(), now = ARGV[3], max_len = ARGV[4],
  max_age = ARGV[5], ttl = ARGV[9], fanout = ARGV[11], epochs = {}, kept = {}}

local lines = {envelope}
for i = 1, (#KEYS - 2) / 3 do
  local meta, hist, applied = KEYS[3 * i], KEYS[3 * i + 1], KEYS[3 * i + 2]
  local marked = mode == 'R' and idempotent and redis.call('GET', applied)
  if marked then
    lines[#lines + 1] = marked
  else
    lines[#lines + 1] = append_to_room(meta, hist, ARGV[10 + 2 * i], ARGV[11 + 2 * i], envelope, ARGV[6], settings)
    if mode == 'R' and idempotent then
      redis.call('SET', applied, lines[#lines], 'PX', ARGV[2])
    end
  end
end

local result = table.concat(lines, '\n')
if idempotent and mode == 'A' then
  redis.call('SET', KEYS[2], result, 'PX', ARGV[2])
elseif idempotent and mode == 'S' then
  redis.call('SET', KEYS[2], 'P\n' .. result, 'PX', ARGV[2])
end
return {0, result}
