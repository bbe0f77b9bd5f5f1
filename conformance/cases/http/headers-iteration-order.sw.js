function listHeaders(request) {
  const headers = new Headers([
    ['Zeta', '1'],
    ['alpha', '2'],
    ['Set-Cookie', 'a=1'],
    ['MID', '3'],
    ['Alpha', '4'],
    ['set-cookie', 'b=2'],
  ]);
  return Response.json({
    built: [...headers],
    keys: [...headers.keys()],
    fromRequest: [...request.headers].filter(([name]) => name.startsWith('x-edgecase-')),
  });
}

addEventListener('fetch', (event) => {
  event.respondWith(listHeaders(event.request));
});
