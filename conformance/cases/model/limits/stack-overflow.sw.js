let depth = 0;

function recurse() {
  depth += 1;
  return recurse() + 1;
}

function respond(request) {
  const path = new URL(request.url).pathname;
  if (path === '/caught') {
    depth = 0;
    try {
      recurse();
      return new Response('recursion returned');
    } catch (error) {
      return Response.json({ name: error.name, message: error.message, depthOver1000: depth > 1000 });
    }
  }
  if (path === '/uncaught') {
    recurse();
  }
  return new Response('still serving');
}

addEventListener('fetch', (event) => {
  event.respondWith(respond(event.request));
});
