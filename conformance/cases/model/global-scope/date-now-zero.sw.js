const atStartup = Date.now();
const dateAtStartup = new Date().toISOString();

function report() {
  return Response.json({
    atStartup,
    dateAtStartup,
    handlerAfter2020: Date.now() > Date.UTC(2020, 0, 1),
  });
}

addEventListener('fetch', (event) => {
  event.respondWith(report());
});
