async function parseBody(request) {
  try {
    await request.json();
    return new Response('parsed');
  } catch (error) {
    return new Response(error.name, { status: 400 });
  }
}

export default {
  fetch(request) {
    return parseBody(request);
  },
};
