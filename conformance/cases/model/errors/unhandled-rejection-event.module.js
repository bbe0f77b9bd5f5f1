const events = [];

addEventListener('unhandledrejection', (event) => {
  events.push({ type: event.type, reason: event.reason?.message ?? String(event.reason) });
});

async function respond(request) {
  if (new URL(request.url).pathname === '/reject') {
    Promise.reject(new Error('nobody handles this rejection'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    return new Response('rejected');
  }
  return Response.json(events);
}

export default {
  fetch(request) {
    return respond(request);
  },
};
