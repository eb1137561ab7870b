-- One circuit breaker's step, atomically: the rules of domain/operations/breakers.py (Breaker.admit,
-- .settle, .forced, .view), which the contract suite holds this script to. Layout and replies:
-- adapters/operations/redis-breaker-format.md.
--
-- KEYS[1] mg:breaker:<name>         hash: state, window, opened, next (ms); expires when idle
-- KEYS[2] mg:breaker:<name>:trials  sorted set: half-open trial token -> lease end (ms); idem
-- KEYS[3] mg:breaker:<name>:mode    string: forced_open | forced_closed; absent when automatic; no expiry
-- ARGV: op (admit | settle | successes | force | view), now_ms, the policy as one space-separated string
--       (window_size minimum_calls failure_rate_threshold slow_call_rate_threshold wait_ms
--       half_open_trials lease_ms idle_ms: one argument, each costs the client), then
--       admit: a new token; settle: the trial's token or '', the result ('' abandoned,
--       o ok, s slow, f failed, F failed and slow); successes: how many; force: the mode.
local op, now = ARGV[1], tonumber(ARGV[2])
local policy = {}
for value in string.gmatch(ARGV[3], '%S+') do policy[#policy + 1] = tonumber(value) end
local size, minimum, failure_rate, slow_rate = policy[1], policy[2], policy[3], policy[4]
local wait, allowed, lease, idle = policy[5], policy[6], policy[7], policy[8]

local fields = redis.call('HMGET', KEYS[1], 'state', 'window', 'opened', 'next')
local state, window, opened, next_trial = fields[1] or 'closed', fields[2] or '', tonumber(fields[3]), tonumber(fields[4])
local mode = redis.call('GET', KEYS[3]) or 'automatic'

local function reported()
  if mode ~= 'automatic' then return mode end
  return state
end
local before = reported()

local function count(pattern)
  local _, n = string.gsub(window, pattern, '')
  return n
end

local function open_until(until_ms)
  state, window, opened, next_trial = 'open', '', now, until_ms
  redis.call('DEL', KEYS[2])
end

local function close()
  state, window, opened, next_trial = 'closed', '', nil, nil
  redis.call('DEL', KEYS[2])
end

local function save()
  redis.call('HSET', KEYS[1], 'state', state, 'window', window)
  if opened then redis.call('HSET', KEYS[1], 'opened', opened) else redis.call('HDEL', KEYS[1], 'opened') end
  if next_trial then redis.call('HSET', KEYS[1], 'next', next_trial) else redis.call('HDEL', KEYS[1], 'next') end
  redis.call('PEXPIRE', KEYS[1], idle)
  redis.call('PEXPIRE', KEYS[2], idle)
end

-- A call's result into a closed breaker's window, which may open it.
local function count_call(result)
  window = string.sub(window .. result, -size)
  local calls = #window
  if mode == 'automatic' and calls >= minimum
    and (count('[fF]') >= failure_rate * calls or count('[sF]') >= slow_rate * calls) then
    open_until(now + wait)
  end
end

local verdict, token, retry = '', '', ''

if op == 'admit' then
  if mode == 'forced_open' then
    verdict, retry = 'reject', wait
  elseif mode == 'forced_closed' or state == 'closed' then
    verdict = 'call'
  else
    if state == 'open' then
      if now < (next_trial or now) then
        verdict, retry = 'reject', next_trial - now
      else
        state = 'half_open'
        redis.call('DEL', KEYS[2])
      end
    end
    if state == 'half_open' then
      redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now) -- leases over: their processes died
      if redis.call('ZCARD', KEYS[2]) >= allowed then
        local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
        verdict, retry = 'reject', tonumber(first[2]) - now
      else
        redis.call('ZADD', KEYS[2], now + lease, ARGV[4])
        verdict, token = 'trial', ARGV[4]
      end
      save()
    end
  end
elseif op == 'settle' then
  local result = ARGV[5]
  local held = ARGV[4] ~= '' and redis.call('ZREM', KEYS[2], ARGV[4]) == 1
  if result ~= '' and mode ~= 'forced_open' then
    if held and state == 'half_open' and mode == 'automatic' then
      if result == 'o' then close() else open_until(now + wait) end
    elseif state == 'closed' then
      count_call(result)
    end
  end
  save()
elseif op == 'successes' then -- that many fast successes at once; past a full window they change nothing
  local successes = math.min(tonumber(ARGV[4]), size)
  for _ = 1, successes do
    if state ~= 'closed' or mode == 'forced_open' then break end
    count_call('o')
  end
  save()
elseif op == 'force' then
  local target = ARGV[4]
  if target == 'forced_open' then
    open_until(nil)
  elseif target == 'forced_closed' then
    close()
  elseif mode == 'forced_open' then -- back to automatic: the next call is a trial
    local since = opened
    open_until(now)
    opened = since
  end
  if target == 'automatic' then redis.call('DEL', KEYS[3]) else redis.call('SET', KEYS[3], target) end
  mode = target
  save()
end

return {before, state, mode, window, opened or '', next_trial or '', verdict, token, retry}
