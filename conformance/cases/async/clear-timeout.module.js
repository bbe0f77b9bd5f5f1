async function cancelOneTimer() {
  const fired = [];
  const cancelled = setTimeout(() => fired.push('cancelled'), 20);
  setTimeout(() => fired.push('kept'), 30);
  clearTimeout(cancelled);
  // Wait well past both timers so that the cancelled one would have run by now.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return Response.json({ fired, idType: typeof cancelled });
}

export default {
  fetch(request) {
    return cancelOneTimer();
  },
};
