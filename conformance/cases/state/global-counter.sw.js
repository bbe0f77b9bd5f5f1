let count = 0;

addEventListener('fetch', (event) => {
  count += 1;
  event.respondWith(new Response(String(count)));
});
