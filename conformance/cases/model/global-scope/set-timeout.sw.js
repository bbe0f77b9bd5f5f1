let callbacksRun = 0;

// Each call is expected to throw while the script is evaluated. The message is kept so
// that the handler can report it.
function attempt(operation) {
  try {
    operation();
    return 'ok';
  } catch (error) {
    return error.message;
  }
}

const setTimeoutAtStartup = attempt(() => setTimeout(() => (callbacksRun += 1), 10));
const setIntervalAtStartup = attempt(() => setInterval(() => (callbacksRun += 1), 10));

function report() {
  return Response.json({ setTimeoutAtStartup, setIntervalAtStartup, callbacksRun });
}

addEventListener('fetch', (event) => {
  event.respondWith(report());
});
