// setTimeout, setInterval and their clear functions. The engine keeps the deadlines and calls
// `fireTimer` when one is due, in the context of the request that set the timer.
//
// A chunk: `engine/bootstrap.rs` wraps this file in `export default function (core) { ... }`, so
// the names below come from the core and the `return` at the end lists the chunk's exports.

const { assertInRequest, host } = core;

/** Callback, arguments and repeat flag of each pending timer, by id. */
const timerCallbacks = new Map();
let nextTimerId = 1;

function toDelay(value) {
  const delay = Number(value);
  return Number.isFinite(delay) && delay > 0 ? delay : 0;
}

function startTimer(callback, delay, args, repeat) {
  assertInRequest();
  const id = nextTimerId++;
  timerCallbacks.set(id, { callback, args, repeat });
  host.timerStart(id, toDelay(delay), repeat);
  return id;
}

function setTimeout(callback, delay, ...args) {
  return startTimer(callback, delay, args, false);
}

function setInterval(callback, delay, ...args) {
  return startTimer(callback, delay, args, true);
}

function clearTimer(id) {
  const key = Number(id);
  if (timerCallbacks.delete(key)) {
    host.timerCancel(key);
  }
}

function clearTimeout(id) {
  clearTimer(id);
}

function clearInterval(id) {
  clearTimer(id);
}

/** Runs the callback of a due timer; the engine reports what it throws. */
function fireTimer(id) {
  const timer = timerCallbacks.get(id);
  if (timer === undefined) {
    return;
  }
  if (!timer.repeat) {
    timerCallbacks.delete(id);
  }
  // A string callback would need eval, which Workers disallows, so it does nothing.
  if (typeof timer.callback === "function") {
    timer.callback.apply(globalThis, timer.args);
  }
}

/** Forgets the callbacks of timers that the engine cancelled when their request ended. */
function dropTimers(ids) {
  for (const id of ids) {
    timerCallbacks.delete(id);
  }
}

return { setTimeout, setInterval, clearTimeout, clearInterval, fireTimer, dropTimers };
