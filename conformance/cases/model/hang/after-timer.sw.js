async function respond(request) {
  if (new URL(request.url).pathname === '/ok') {
    return new Response('still serving');
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise(() => {});
  return new Response('unreachable');
}

addEventListener('fetch', (event) => {
  event.respondWith(respond(event.request));
});
