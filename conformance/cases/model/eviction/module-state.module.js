let hits = 0;
let lastUser = null;

function recordVisit(request) {
  hits += 1;
  const previousUser = lastUser;
  lastUser = new URL(request.url).searchParams.get('user');
  return Response.json({ hits, lastUser: previousUser });
}

export default {
  fetch(request) {
    return recordVisit(request);
  },
};
