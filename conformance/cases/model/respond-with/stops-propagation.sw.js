async function listCalls(calls) {
  // By the time the timer fires, dispatch has finished calling every listener it will call.
  await new Promise((resolve) => setTimeout(resolve, 10));
  return new Response(`listeners called: ${calls.join(', ')}`);
}

addEventListener('fetch', (event) => {
  const calls = [];
  event.edgecaseCalls = calls;
  calls.push('first');
  event.respondWith(listCalls(calls));
});

addEventListener('fetch', (event) => {
  event.edgecaseCalls.push('second');
});
