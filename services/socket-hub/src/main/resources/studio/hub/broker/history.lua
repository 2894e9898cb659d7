-- Reads a room's position and the history after an offset in one atomic step.
-- KEYS[1] meta hash, KEYS[2] history stream.
-- ARGV[1] after offset, ARGV[2] limit, ARGV[3] now ms, ARGV[4] history max age ms, ARGV[5] history max length.
-- Returns {offset, epoch or '', id1, frame1, id2, frame2, ...}; entries older than max age, and entries
-- before the last max length offsets (room_append.lua trims whole stream nodes, so a few may remain),
-- are left out.
local offset = redis.call('HGET', KEYS[1], 'offset') or '0'
local epoch = redis.call('HGET', KEYS[1], 'epoch') or ''
local result = {offset, epoch}
local cutoff = tonumber(ARGV[3]) - tonumber(ARGV[4])
if ARGV[2] == '0' then
  return result
end
local first = math.max(tonumber(ARGV[1]) + 1, tonumber(offset) - tonumber(ARGV[5]) + 1)
local entries = redis.call('XRANGE', KEYS[2], string.format('%d', first) .. '-0', '+', 'COUNT', ARGV[2])
for _, entry in ipairs(entries) do
  if tonumber(entry[2][2]) >= cutoff then
    result[#result + 1] = entry[1]
    result[#result + 1] = entry[2][4]
  end
end
return result
