function responseLater() {
  return new Promise((resolve) => {
    setTimeout(() => resolve(new Response('resolved after 50 ms', { status: 202 })), 50);
  });
}

addEventListener('fetch', (event) => {
  event.respondWith(responseLater());
});
