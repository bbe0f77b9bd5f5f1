async function readTwice(request) {
  const usedBefore = request.bodyUsed;
  const first = await request.text();
  const usedAfter = request.bodyUsed;
  let secondRead;
  try {
    secondRead = `no error, read ${JSON.stringify(await request.text())}`;
  } catch (error) {
    secondRead = error.name;
  }
  return Response.json({ usedBefore, first, usedAfter, secondRead });
}

addEventListener('fetch', (event) => {
  event.respondWith(readTwice(event.request));
});
