function checkHeaders(request) {
  const headers = new Headers();
  headers.set('X-Edgecase-Mixed', 'original');
  headers.set('x-EDGECASE-mixed', 'replaced');
  const result = {
    requestLower: request.headers.get('x-edgecase-sent'),
    requestUpper: request.headers.get('X-EDGECASE-SENT'),
    getUpper: headers.get('X-EDGECASE-MIXED'),
    hasMixed: headers.has('x-Edgecase-MIXED'),
    entries: [...headers],
  };
  const deleted = new Headers(headers);
  deleted.delete('X-EDGECASE-MIXED');
  result.afterDelete = deleted.get('x-edgecase-mixed');
  return Response.json(result, { headers });
}

addEventListener('fetch', (event) => {
  event.respondWith(checkHeaders(event.request));
});
