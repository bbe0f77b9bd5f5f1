let stashedResponse = null;

async function respond(request) {
  if (new URL(request.url).pathname === '/stash') {
    stashedResponse = new Response('cached by the first request');
    return new Response('stashed');
  }
  try {
    const text = await stashedResponse.text();
    return new Response(`read the stashed response: ${text}`);
  } catch (error) {
    return new Response(`${error.name}: ${error.message}`, { status: 500 });
  }
}

addEventListener('fetch', (event) => {
  event.respondWith(respond(event.request));
});
