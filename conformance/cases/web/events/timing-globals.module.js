async function handle(request) {
  const start = performance.now();
  let ticks = 0;
  await new Promise((resolve) => {
    const id = setInterval(() => {
      ticks += 1;
      if (ticks === 3) {
        clearInterval(id);
        resolve();
      }
    }, 2);
  });
  let fired = false;
  const timeout = setTimeout(() => {
    fired = true;
  }, 1);
  clearTimeout(timeout);
  await new Promise((resolve) => setTimeout(resolve, 10));
  const end = performance.now();
  return Response.json({
    nowIsNumber: typeof start === 'number',
    monotonic: end >= start,
    userAgent: navigator.userAgent,
    ticks,
    clearedFired: fired,
  });
}

export default { fetch: handle };
