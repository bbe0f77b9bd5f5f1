let counter = 0;

async function respond(request) {
  if (new URL(request.url).pathname === '/increment') {
    const read = counter;
    // Both concurrent requests read the counter before either one writes it back.
    await new Promise((resolve) => setTimeout(resolve, 200));
    counter = read + 1;
    return new Response(`read ${read}, wrote ${counter}`);
  }
  return new Response(`counter ${counter}`);
}

export default {
  fetch(request) {
    return respond(request);
  },
};
