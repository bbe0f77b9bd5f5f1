async function respond() {
  setTimeout(() => {
    throw new Error('thrown by a timer callback');
  }, 10);
  await new Promise((resolve) => setTimeout(resolve, 50));
  return new Response('timer threw, handler finished');
}

addEventListener('fetch', (event) => {
  event.respondWith(respond());
});
