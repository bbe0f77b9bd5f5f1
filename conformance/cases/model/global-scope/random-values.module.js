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

const getRandomValuesAtStartup = attempt(() => crypto.getRandomValues(new Uint8Array(8)));
const randomUUIDAtStartup = attempt(() => crypto.randomUUID());

function report() {
  return Response.json({
    getRandomValuesAtStartup,
    randomUUIDAtStartup,
    getRandomValuesInHandler: attempt(() => crypto.getRandomValues(new Uint8Array(8))),
    randomUUIDInHandler: attempt(() => crypto.randomUUID()),
  });
}

export default {
  fetch(request) {
    return report();
  },
};
