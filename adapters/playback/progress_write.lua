-- One write to a viewer's progress in one title, atomically: judge it, store it, journal it,
-- announce it. Every key, field and reply named here is in redis-wire-format.md (beside this file).
-- KEYS: 1 the title's hash, 2 the viewer's set of unarchived titles, 3 the change stream,
--       4 the viewer's sync channel
-- ARGV: 1 mode (record | queue | dismiss), 2 content id, 3 session, 4 sequence, 5 now (ISO),
--       6 done (0/1), 7 the state JSON, 8 the sync message's fields after kind and order,
--       9 the caller's W3C traceparent and 10 tracestate (empty when untraced), journalled
--       with the change, 11 seconds to keep an archived title, 12.. what the archive holds
--       for it as hash field/value pairs, when the caller was told 'miss' and loaded it
--       (written only if the hash is still missing; kept for that long unless this write
--       changes it)
local key, dirty, stream, channel = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local mode, content, session, now = ARGV[1], ARGV[2], ARGV[3], ARGV[5]
local mark = 'h:' .. session
-- 'ord' is set whenever the hash exists (a fill from the archive sets it too), and 'done'
-- whenever it holds a state.
local found = redis.call('HMGET', key, 'ord', 'done', 'dis', mark)
if not found[1] then
  if #ARGV < 12 then
    return {'miss'}
  end
  redis.call('HSET', key, unpack(ARGV, 12))
  redis.call('EXPIRE', key, ARGV[11])
  found = redis.call('HMGET', key, 'ord', 'done', 'dis', mark)
end
local has_state = found[2] ~= false
-- A state whose position or duration is not a finite number (stored before they were refused)
-- counts as absent, as the store's readers treat it: the next write replaces it. Checked only
-- where the answer depends on it, so an accepted update pays nothing for it.
local function usable()
  local ok, s = pcall(cjson.decode, redis.call('HGET', key, 's') or '')
  if not ok or type(s) ~= 'table' then
    return false
  end
  local pos, dur = s.pos, s.dur
  return type(pos) == 'number' and type(dur) == 'number' and pos >= 0 and dur > 0
    and pos < math.huge and dur < math.huge
end
if has_state and (mode ~= 'record' or (found[4] and tonumber(ARGV[4]) <= tonumber(found[4]))) then
  has_state = usable()
  if not has_state then
    found[2] = false
  end
end
local was_done = found[2] == '1'
local kind, history, state, done, rest = 'progress', '0', ARGV[7], ARGV[6], ARGV[8]
local marks = {}

if mode == 'record' then
  local sequence = tonumber(ARGV[4])
  local high_water = tonumber(found[4])
  -- The same rule as domain.playback.progress.judge, re-implemented here so a write stays one
  -- round trip; tests/contract/test_progress_store_properties.py holds the two equal.
  if high_water ~= nil and has_state then
    if sequence < high_water then
      return {'stale', redis.call('HGETALL', key)}
    end
    if sequence == high_water then
      return {'duplicate', redis.call('HGETALL', key)}
    end
  end
  if high_water == nil or sequence > high_water then
    marks = {mark, ARGV[4]}
  end
  history = '1'
  if done == '1' and not was_done then
    kind = 'completed'
  end
elseif mode == 'queue' then
  if has_state then
    return {'exists'}
  end
  kind = 'next_episode'
else
  if not has_state then
    return {'none'}
  end
  if found[3] == '1' then
    return {'unchanged', redis.call('HGETALL', key)}
  end
  kind = 'dismissed'
  state = redis.call('HGET', key, 's')
  done = found[2]
  local s = cjson.decode(state)
  rest = cjson.encode({
    user_id = s.u, content_id = s.c, device_id = s.dev, position_seconds = s.pos,
    progress_percent = s.pct, completed = done == '1', occurred_at = now,
  }):sub(2)
end

local order = string.format('%d', redis.call('HINCRBY', key, 'ord', 1))
local dismissed = mode == 'dismiss' and '1' or '0'
redis.call('HSET', key, 's', state, 'at', now, 'done', done, 'dis', dismissed, unpack(marks))
redis.call('PERSIST', key)
redis.call('SADD', dirty, content)
local entry = {'e', history, 's', state, 'at', now, 'done', done, 'dis', dismissed, 'ord', order}
-- The trace context of the request that made the change, when it has one, for the worker's span.
local function journal_also(name, value)
  entry[#entry + 1] = name
  entry[#entry + 1] = value
end
if ARGV[9] ~= '' then
  journal_also('tp', ARGV[9])
  if ARGV[10] ~= '' then
    journal_also('ts', ARGV[10])
  end
end
redis.call('XADD', stream, '*', unpack(entry))
-- The message RedisSyncBroker decodes: kind and order first, the rest as the caller wrote it.
redis.call('PUBLISH', channel, '{"kind":"' .. kind .. '","server_order":' .. order .. ',' .. rest)
if mode == 'dismiss' then
  return {'ok', order, was_done and '1' or '0', redis.call('HGETALL', key)}
end
return {'ok', order, was_done and '1' or '0'}
