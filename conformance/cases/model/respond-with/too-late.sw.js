async function reportLateCall(event) {
  // Wait for a timer, so the listener has certainly returned.
  await new Promise((resolve) => setTimeout(resolve, 10));
  let report;
  try {
    event.respondWith(new Response('late', { headers: { 'x-edgecase-response': 'late' } }));
    report = { isDOMException: false, name: 'none', message: 'the late call did not throw' };
  } catch (error) {
    report = { isDOMException: error instanceof DOMException, name: error.name, message: error.message };
  }
  return Response.json(report, { headers: { 'x-edgecase-response': 'first' } });
}

addEventListener('fetch', (event) => {
  // The synchronous call keeps the request open while reportLateCall makes the late call.
  event.respondWith(reportLateCall(event));
});
