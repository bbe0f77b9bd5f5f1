addEventListener('fetch', (event) => {
  event.waitUntil(new Promise(() => {}));
  event.respondWith(new Response('responded at once'));
});
