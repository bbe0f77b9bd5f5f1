async function waitTwice() {
  const events = ['start'];
  const started = Date.now();
  await new Promise((resolve) => {
    setTimeout((a, b) => {
      events.push(`first timer ${a} ${b}`);
      resolve();
    }, 50, 'a', 'b');
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  events.push('second timer');
  return Response.json({ events, waitedAtLeast100ms: Date.now() - started >= 100 });
}

export default {
  fetch(request) {
    return waitTwice();
  },
};
