function buildResponse() {
  const headers = new Headers({ 'X-Edgecase-Single': 'one', 'Cache-Control': 'no-store' });
  headers.append('x-edgecase-list', 'first');
  headers.append('X-Edgecase-List', 'second');
  headers.set('x-edgecase-deleted', 'gone');
  headers.delete('X-EDGECASE-DELETED');
  headers.set('content-type', 'application/x-edgecase');
  return new Response('with headers', { headers });
}

export default {
  fetch(request) {
    return buildResponse();
  },
};
