let openGate;
const gate = new Promise((resolve) => (openGate = resolve));

async function respond(request) {
  const path = new URL(request.url).pathname;
  if (path === '/wait') {
    // Nothing but the gate is pending for this request.
    await gate;
    return new Response('passed the gate');
  }
  if (path === '/open') {
    await new Promise((resolve) => setTimeout(resolve, 300));
    openGate();
    return new Response('gate opened');
  }
  return new Response('still serving');
}

export default {
  fetch(request) {
    return respond(request);
  },
};
