async function countTicks() {
  let ticks = 0;
  await new Promise((resolve) => {
    const id = setInterval(() => {
      ticks += 1;
      if (ticks === 3) {
        clearInterval(id);
        resolve();
      }
    }, 20);
  });
  const ticksAtStop = ticks;
  await new Promise((resolve) => setTimeout(resolve, 100));
  return new Response(`ticks at stop: ${ticksAtStop}, ticks later: ${ticks}`);
}

addEventListener('fetch', (event) => {
  event.respondWith(countTicks());
});
