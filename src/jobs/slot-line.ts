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
// one. Time-critical messages keep their order among themselves: the line's front (the latest slot
// a time-critical message took) is kept beside it, and the next one goes after it.

/**
 * Lua: `takeFront(line, frontKey, from, member, ttlMs)`. `line` is a sorted set of message ids by
 * slot time in which `member` has just reserved; `from` the earliest slot it may take (now plus a
 * margin, so a slot whose job may already be sending is never taken). Returns the member's slot.
 * Its cost is one write per message passed: paid by time-critical messages only, which are few.
 */
export const TAKE_FRONT_LUA = `
local function takeFront(line, frontKey, from, member, ttlMs)
  -- Times go to Redis as text, and Lua's tostring keeps 14 digits: a slot with a fraction of a
  -- ms (a rate-limit interval like 10 s / 3) was kept as the front just before itself, and the
  -- next time-critical message passed the one holding it. Written with 17 digits, a time reads
  -- back as the same number.
  local front = tonumber(redis.call('GET', frontKey) or '0')
  if front > from then from = front end
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
  redis.call('SET', frontKey, string.format('%.17g', times[1]), 'PX', math.max(1, math.floor(ttlMs)))
  return times[1]
end
`;

/**
 * A slot at or within this of now may belong to a job already on its way to send (a job goes
 * when its slot is 50 ms or less ahead, and other hosts' clocks differ): never taken.
 */
export const FRONT_MARGIN_MS = 250;
