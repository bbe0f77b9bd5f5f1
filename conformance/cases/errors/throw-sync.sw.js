addEventListener('fetch', (event) => {
  if (new URL(event.request.url).pathname === '/throw') {
    throw new Error('thrown synchronously by the listener');
  }
  event.respondWith(new Response('still serving'));
});
