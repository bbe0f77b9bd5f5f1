const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function describeLater(event) {
  const item = Number(new URL(event.request.url).pathname.split('/')[2]);
  // Higher item numbers wake earlier, so the listeners resume in another order than they started.
  await sleep((6 - item) * 40);
  return new Response(`${new URL(event.request.url).pathname} ${event.request.headers.get('x-edgecase-id')}`);
}

addEventListener('fetch', (event) => {
  event.respondWith(describeLater(event));
});
