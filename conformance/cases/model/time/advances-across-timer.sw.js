async function measureTimer() {
  const dateBefore = Date.now();
  const performanceBefore = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 50));
  return Response.json({
    dateAtLeast50ms: Date.now() - dateBefore >= 50,
    performanceAtLeast50ms: performance.now() - performanceBefore >= 50,
  });
}

addEventListener('fetch', (event) => {
  event.respondWith(measureTimer());
});
