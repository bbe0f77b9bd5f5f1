async function parseBody(request) {
  try {
    await request.json();
    return new Response('parsed');
  } catch (error) {
    return new Response(error.name, { status: 400 });
  }
}

addEventListener('fetch', (event) => {
  event.respondWith(parseBody(event.request));
});
