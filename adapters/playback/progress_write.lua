-- One write to a viewer's progress in one title, atomically: judge it, store it, journal it,
-- announce it. The title's hash holds the state's fields and 'h:<session>' high-water marks.
-- KEYS: 1 the title's hash, 2 the viewer's set of unarchived titles, 3 the change stream,
--       4 the viewer's sync channel
-- ARGV: 1 mode (record | queue | dismiss), 2 content id, 3 session, 4 sequence, 5 now (ISO),
--       6.. the new state's field/value pairs (record and queue)
local key, dirty, stream, channel = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local mode = ARGV[1]
if redis.call('EXISTS', key) == 0 then
  return {'miss'}
end
local has_state = redis.call('HEXISTS', key, 'at') == 1
local was_done = redis.call('HGET', key, 'done') == '1'
local changes = {}
for i = 6, #ARGV do
  changes[#changes + 1] = ARGV[i]
end
local kind, history = 'progress', '0'

if mode == 'record' then
  local mark = 'h:' .. ARGV[3]
  local sequence = tonumber(ARGV[4])
  local high_water = tonumber(redis.call('HGET', key, mark))
  -- The same rule as domain.playback.progress.judge.
  if high_water ~= nil and has_state then
    if sequence < high_water then
      return {'stale', redis.call('HGETALL', key)}
    end
    if sequence == high_water then
      return {'duplicate', redis.call('HGETALL', key)}
    end
  end
  if high_water == nil or sequence > high_water then
    changes[#changes + 1] = mark
    changes[#changes + 1] = ARGV[4]
  end
  history = '1'
elseif mode == 'queue' then
  if has_state then
    return {'exists', redis.call('HGETALL', key)}
  end
  kind = 'next_episode'
else
  if not has_state then
    return {'none'}
  end
  if redis.call('HGET', key, 'dis') == '1' then
    return {'unchanged', redis.call('HGETALL', key)}
  end
  kind = 'dismissed'
  changes = {'dis', '1', 'at', ARGV[5]}
end

local order = string.format('%d', redis.call('HINCRBY', key, 'ord', 1))
changes[#changes + 1] = 'ord'
changes[#changes + 1] = order
redis.call('HSET', key, unpack(changes))
redis.call('PERSIST', key)
redis.call('SADD', dirty, ARGV[2])

local names = {'u', 'c', 'pos', 'dur', 'pct', 'dev', 'ses', 'seq', 'ord', 'at', 'done', 'dis', 'why'}
local values = redis.call('HMGET', key, unpack(names))
local entry, s = {'e', history}, {}
for i, name in ipairs(names) do
  entry[#entry + 1] = name
  entry[#entry + 1] = values[i]
  s[name] = values[i]
end
redis.call('XADD', stream, '*', unpack(entry))
if kind == 'progress' and s.done == '1' and not was_done then
  kind = 'completed'
end
-- The message RedisSyncBroker decodes.
redis.call('PUBLISH', channel, cjson.encode({
  kind = kind, user_id = s.u, content_id = s.c, device_id = s.dev,
  position_seconds = tonumber(s.pos), progress_percent = tonumber(s.pct), completed = s.done == '1',
  server_order = tonumber(s.ord), occurred_at = s.at,
}))
-- The caller knows the state it sent; only a dismissal needs the stored one back.
if mode == 'dismiss' then
  return {'ok', order, was_done and '1' or '0', redis.call('HGETALL', key)}
end
return {'ok', order, was_done and '1' or '0'}
