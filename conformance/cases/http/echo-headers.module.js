function describeHeaders(headers) {
  return {
    test: headers.get('x-edgecase-test'),
    number: headers.get('X-EDGECASE-NUMBER'),
    accept: headers.get('accept'),
    missing: headers.get('x-edgecase-not-sent'),
  };
}

export default {
  fetch(request) {
    return Response.json(describeHeaders(request.headers));
  },
};
