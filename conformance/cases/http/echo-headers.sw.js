function describeHeaders(headers) {
  return {
    test: headers.get('x-edgecase-test'),
    number: headers.get('X-EDGECASE-NUMBER'),
    accept: headers.get('accept'),
    missing: headers.get('x-edgecase-not-sent'),
  };
}

addEventListener('fetch', (event) => {
  event.respondWith(Response.json(describeHeaders(event.request.headers)));
});
