const events = [];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function innerTask() {
  await sleep(300);
  events.push('inner finished');
}

async function outerTask(waitUntil) {
  await sleep(100);
  waitUntil(innerTask());
  events.push('outer finished');
}

function respond(request, waitUntil) {
  if (new URL(request.url).pathname === '/start') {
    waitUntil(outerTask(waitUntil));
    return new Response('outer task started');
  }
  return Response.json(events);
}

addEventListener('fetch', (event) => {
  event.respondWith(respond(event.request, (task) => event.waitUntil(task)));
});
