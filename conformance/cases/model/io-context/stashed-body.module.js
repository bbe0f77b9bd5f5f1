let stashedBody = null;

async function respond(request) {
  if (new URL(request.url).pathname === '/stash') {
    stashedBody = request.body;
    return new Response('stashed');
  }
  try {
    const text = await new Response(stashedBody).text();
    return new Response(`read the stashed body: ${text}`);
  } catch (error) {
    return new Response(`${error.name}: ${error.message}`, { status: 500 });
  }
}

export default {
  fetch(request) {
    return respond(request);
  },
};
