// Time-critical messages (an appointment's confirmation, "rescheduled" notice or reminder) go to
// the front of their advisor's line of reserved send slots. Both the rate limiter and the pacer
// hand out slots in the order jobs reach a worker, and a worker reaches an advisor's whole backlog
// within a second: without this, a confirmation booked behind a batch of 300 took its slot after
// the batch's, hours later with pacing on, and a reminder could go out after its appointment.
//
// The message reserves at the back of the line as usual (so the rule that laid the line out, the
// GCRA or the gap and caps, has counted it), then swaps places: it takes the earliest slot still
// ahead, and every message it passes moves one place back, the last into the slot it had just
// reserved. The set of slot times is exactly the one the rules laid out; only who holds which
// changes. So the rules still hold whatever they are, and a passed message waits one slot more.
// Jobs learn that their slot moved when they wake for it (`slotOf`), and wait again until the new
// one. Time-critical messages keep their order among themselves: the line's front (the last
// time-critical message to take it) is kept beside it, and the next one goes after that message's
// slot, wherever it is now. The slot's time was kept until 2026-12-06: a slot given up since (a
// limit raised, so every waiting message reserved anew, sooner) left the front a day ahead at
// worst, and the next time-critical message waited behind the whole batch until then.

/**
 * Lua: `takeFront(line, frontKey, from, member, ttlMs)`. `line` is a sorted set of message ids by
 * slot time in which `member` has just reserved; `from` the earliest slot it may take (now plus a
 * margin, so a slot whose job may already be sending is never taken). Returns the member's slot.
 * Its cost is one write per message passed: paid by time-critical messages only, which are few.
 */
export const TAKE_FRONT_LUA = `
local function takeFront(line, frontKey, from, member, ttlMs)
  -- frontKey holds a message id (a key name of its own: the first version kept a time
  -- in ':front', and an older worker reading an id there would fail).
  local back = tonumber(redis.call('ZSCORE', line, member) or '0')
  -- After the last time-critical message, unless its slot is not ahead of this one's (reserved
  -- under a limit since raised, and not reserved anew: its job was cancelled).
  local last = redis.call('GET', frontKey)
  if last and last ~= member then
    local at = tonumber(redis.call('ZSCORE', line, last) or '0')
    if at > from and at <= back then from = at end
  end
  -- Times go to Redis as text, and Lua's tostring keeps 14 digits: a slot with a fraction of a
  -- ms (a rate-limit interval like 10 s / 3) came out just before itself, and the next
  -- time-critical message passed the one holding it. With 17 digits a time reads back the same.
  local held = redis.call('ZRANGEBYSCORE', line, '(' .. string.format('%.17g', from), '+inf', 'WITHSCORES')
  local passed, times, own = {}, {}, nil
  for i = 1, #held, 2 do
    local t = tonumber(held[i + 1])
    times[#times + 1] = t
    if held[i] == member then own = t else passed[#passed + 1] = held[i] end
  end
  if own == nil then return nil end
  table.sort(times)
  local moves = { times[1], member }
  for i = 1, #passed do
    moves[#moves + 1] = times[i + 1]
    moves[#moves + 1] = passed[i]
    -- ZADD in pieces: unpack() of a very long list overflows Lua's stack.
    if #moves >= 1000 then
      redis.call('ZADD', line, unpack(moves))
      moves = {}
    end
  end
  if #moves > 0 then redis.call('ZADD', line, unpack(moves)) end
  redis.call('SET', frontKey, member, 'PX', math.max(1, math.floor(ttlMs)))
  return times[1]
end
`;

/**
 * A slot at or within this of now may belong to a job already on its way to send (a job goes
 * when its slot is 50 ms or less ahead, and other hosts' clocks differ): never taken.
 */
export const FRONT_MARGIN_MS = 250;
