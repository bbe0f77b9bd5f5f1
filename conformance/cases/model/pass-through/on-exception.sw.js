addEventListener('fetch', (event) => {
  event.passThroughOnException();
  const path = new URL(event.request.url).pathname;
  if (path === '/sync-throw') {
    throw new Error('thrown after passThroughOnException');
  }
  if (path === '/async-throw') {
    event.respondWith(
      new Promise((resolve, reject) => {
        setTimeout(() => reject(new Error('rejected after passThroughOnException')), 10);
      }),
    );
    return;
  }
  event.respondWith(new Response('served by the worker'));
});
