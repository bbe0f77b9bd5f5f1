async function respond(request) {
  if (new URL(request.url).pathname === '/reject') {
    Promise.reject(new Error('nobody handles this rejection'));
    // Give the runtime a chance to notice the unhandled rejection before responding.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return new Response('responded despite the rejection');
  }
  return new Response('still serving');
}

export default {
  fetch(request) {
    return respond(request);
  },
};
