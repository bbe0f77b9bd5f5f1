function responseLater() {
  return new Promise((resolve) => {
    setTimeout(() => resolve(new Response('resolved after 50 ms', { status: 202 })), 50);
  });
}

export default {
  // Deliberately not an async function, so the handler returns the promise itself.
  fetch(request) {
    return responseLater();
  },
};
