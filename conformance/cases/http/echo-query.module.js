function describeQuery(request) {
  const url = new URL(request.url);
  return { search: url.search, params: [...url.searchParams] };
}

export default {
  fetch(request) {
    return Response.json(describeQuery(request));
  },
};
