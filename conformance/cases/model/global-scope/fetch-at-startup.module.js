// The target is the discard port on loopback, so nothing leaves the machine even on a
// runtime that lets the call through.
let startupFetch = 'still pending';
try {
  fetch('http://127.0.0.1:9/').then(
    () => (startupFetch = 'the fetch succeeded'),
    (error) => (startupFetch = error.message),
  );
} catch (error) {
  startupFetch = error.message;
}

export default {
  fetch(request) {
    return new Response(startupFetch);
  },
};
