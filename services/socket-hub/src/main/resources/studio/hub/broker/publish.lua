-- Sequences one event atomically (Redis runs a script alone, so Redis itself orders publishes).
-- KEYS[1] stream sequence counter, KEYS[2] idempotency record,
-- KEYS[2+2i-1], KEYS[2+2i] room i's meta hash and history stream.
-- ARGV[1] '1' when an idempotency key is given, ARGV[2] idempotency window ms, ARGV[3] now ms,
-- ARGV[4] history max length, ARGV[5] history max age ms, ARGV[6] epoch for a room created now,
-- ARGV[7] envelope JSON before the sequence, ARGV[8] envelope JSON after it, ARGV[9] room ttl ms,
-- ARGV[9+2i-1], ARGV[9+2i] room i's name and fan-out channel.
-- Returns {duplicate (0|1), envelope .. '\n' .. one 'room offset epoch' line per room}.
if ARGV[1] == '1' then
  local prior = redis.call('GET', KEYS[2])
  if prior then
    return {1, prior}
  end
end

-- Integers are printed with %d: Lua 5.1 prints numbers as %.14g, so past 10^14 '..' would write an
-- exponent ('9.007199254741e+15') where the Java renderer (Frames.event) writes every digit.
local sequence = string.format('%d', redis.call('INCR', KEYS[1]))
-- The counter lives as long as the rooms it feeds (each refreshed to the room TTL below), so a stream
-- silent that long is forgotten and restarts at 1 together with new epochs: docs/architecture.md.
redis.call('PEXPIRE', KEYS[1], ARGV[9])
local envelope = ARGV[7] .. sequence .. ARGV[8]
local now = tonumber(ARGV[3])
local cutoff = now - tonumber(ARGV[5])
local lines = {envelope}

for i = 1, (#KEYS - 2) / 2 do
  local meta, hist = KEYS[1 + 2 * i], KEYS[2 + 2 * i]
  local room, channel = ARGV[8 + 2 * i], ARGV[9 + 2 * i]
  if redis.call('HSETNX', meta, 'epoch', ARGV[6]) == 1 then
    -- A new epoch restarts offsets at 1; history of an old epoch would hold higher ids.
    redis.call('DEL', hist)
  end
  local epoch = redis.call('HGET', meta, 'epoch')
  local offset = string.format('%d', redis.call('HINCRBY', meta, 'offset', 1))
  redis.call('PEXPIRE', meta, ARGV[9])
  -- The event frame as studio.contract.frame.Frames.event renders it, byte for byte (PublishScriptFrameTest).
  local frame = '{"op":"event","room":"' .. room .. '","offset":' .. offset .. ',"epoch":"' .. epoch
      .. '","event":' .. envelope .. '}'
  redis.call('XADD', hist, 'MAXLEN', ARGV[4], offset .. '-1', 't', ARGV[3], 'f', frame)
  local oldest = redis.call('XRANGE', hist, '-', '+', 'COUNT', 8)
  for _, entry in ipairs(oldest) do
    if tonumber(entry[2][2]) < cutoff then
      redis.call('XDEL', hist, entry[1])
    else
      break
    end
  end
  redis.call('PEXPIRE', hist, ARGV[5])
  redis.call('PUBLISH', channel, frame)
  lines[#lines + 1] = room .. ' ' .. offset .. ' ' .. epoch
end

local result = table.concat(lines, '\n')
if ARGV[1] == '1' then
  redis.call('SET', KEYS[2], result, 'PX', ARGV[2])
end
return {0, result}
