let firstEvent = null;

addEventListener('fetch', (event) => {
  firstEvent = event;
});

addEventListener('fetch', (event) => {
  event.respondWith(new Response(`answered by the second listener, same event: ${event === firstEvent}`));
});
