-- Appending an event to a room. LuaScript joins this file in front of publish.lua and
-- publish_batch.lua, so both sequence rooms and render frames one way.
-- s (settings of one script call): replid (this master's replication id), now (ms, as given), max_len
-- (history length), max_age (history ms), ttl (room ms), fanout ('PUBLISH'/'SPUBLISH'), epochs (the
-- epoch of each room this call checked already, by meta key), kept (keys this call set a TTL on).

-- keep_alive: sets a key's TTL once per script call. A batch meets a job's room and stream many times;
-- a second PEXPIRE in the same call would move the deadline by the microseconds the call took.
local function keep_alive(key, ttl, s)
  if not s.kept[key] then
    redis.call('PEXPIRE', key, ttl)
    s.kept[key] = true
  end
end

-- append_to_room: one event into one room: the room's epoch checked and its keys kept alive (each
-- once per call), the event at the room's next offset into its history and out to its channel.
-- Returns the room's 'room offset epoch' line.
local function append_to_room(meta, hist, room, channel, envelope, new_epoch, s)
  -- A room met again in the same call (a batch of a job's events) has its epoch checked already.
  local epoch = s.epochs[meta]
  if not epoch then
    local known = redis.call('HMGET', meta, 'epoch', 'replid')
    epoch = known[1]
    if not epoch or (known[2] and known[2] ~= s.replid) then
      -- A new epoch restarts offsets at 1; history of an old epoch would hold higher ids.
      epoch = new_epoch
      redis.call('HSET', meta, 'epoch', epoch, 'offset', 0, 'replid', s.replid)
      redis.call('DEL', hist)
    elseif not known[2] then
      -- A room written before rooms recorded the replication id: adopt this master's.
      redis.call('HSET', meta, 'replid', s.replid)
    end
    s.epochs[meta] = epoch
  end
  -- Integers are printed with %d: Lua 5.1 prints numbers as %.14g, so past 10^14 '..' would write an
  -- exponent ('9.007199254741e+15') where the Java renderer (Frames.event) writes every digit.
  local offset = string.format('%d', redis.call('HINCRBY', meta, 'offset', 1))
  -- The event frame as studio.contract.frame.Frames.event renders it, byte for byte (PublishScriptFrameTest).
  local frame = '{"op":"event","room":"' .. room .. '","offset":' .. offset .. ',"epoch":"' .. epoch
      .. '","event":' .. envelope .. '}'
  -- History is bounded here by length only; history.lua leaves out entries older than max_age, and a
  -- room silent for max_age loses its history. Trimming by age on every append (XRANGE the oldest,
  -- XDEL) cost more than the rest of the script together (Redis CPU per publish, docs/benchmarks.md).
  -- '~' trims whole stream nodes only, so the stream holds at least max_len entries and at most one
  -- node more; an exact trim rewrote the oldest node on every append. history.lua serves the last
  -- max_len offsets only, so what a client can resume from is the same either way.
  redis.call('XADD', hist, 'MAXLEN', '~', s.max_len, offset .. '-1', 't', s.now, 'f', frame)
  redis.call(s.fanout, channel, frame)
  keep_alive(meta, s.ttl, s)
  keep_alive(hist, s.max_age, s)
  return room .. ' ' .. offset .. ' ' .. epoch
end

-- The replication id of this master. A replica promoted by a failover (Sentinel or Cluster) takes a
-- new one, and it may lack the last writes the old master acknowledged: offsets it would hand out
-- again were already given to other events. A room last written under another id therefore starts a
-- new epoch, and clients resuming across the failover get recovered:false (docs/architecture.md).
local function master_replid()
  return string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)')
end
