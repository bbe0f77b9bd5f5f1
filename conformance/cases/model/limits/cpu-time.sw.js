const SPIN_ITERATIONS = 500_000_000;

function respond(request) {
  if (new URL(request.url).pathname === '/spin') {
    let sum = 0;
    for (let i = 0; i < SPIN_ITERATIONS; i++) {
      sum = (sum + i) % 1_000_003;
    }
    return new Response(`finished the loop without being stopped, sum ${sum}`);
  }
  return new Response('still serving');
}

addEventListener('fetch', (event) => {
  event.respondWith(respond(event.request));
});
