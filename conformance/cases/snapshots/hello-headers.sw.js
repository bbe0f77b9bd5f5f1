function respond(request) {
  const name = new URL(request.url).searchParams.get('name');
  return new Response(`Hello, ${name}!\n`, {
    headers: {
      'x-greeting': 'hello',
      'cache-control': 'no-store',
      'x-multi': 'one',
    },
  });
}

addEventListener('fetch', (event) => {
  const response = respond(event.request);
  response.headers.append('x-multi', 'two');
  event.respondWith(response);
});
