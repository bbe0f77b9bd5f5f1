const fired = [];

function respond(request, waitUntil) {
  const path = new URL(request.url).pathname;
  if (path === '/unwrapped') {
    setTimeout(() => fired.push('timer without waitUntil'), 100);
    return new Response('timer set');
  }
  if (path === '/wrapped') {
    waitUntil(new Promise((resolve) => setTimeout(resolve, 100)).then(() => fired.push('timer kept by waitUntil')));
    return new Response('timer set');
  }
  return Response.json(fired);
}

addEventListener('fetch', (event) => {
  event.respondWith(respond(event.request, (task) => event.waitUntil(task)));
});
