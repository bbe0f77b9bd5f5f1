addEventListener('fetch', (event) => {
  if (new URL(event.request.url).pathname === '/throw') {
    event.respondWith(new Response('response given before the throw'));
    throw new Error('thrown after respondWith');
  }
  event.respondWith(new Response('still serving'));
});
