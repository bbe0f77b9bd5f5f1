// The loop stops early as soon as the clock moves, so a runtime whose clock runs during
// synchronous code stops after about a millisecond instead of finishing all iterations.
const MAX_ITERATIONS = 2_000_000;

function spin() {
  const dateBefore = Date.now();
  const performanceBefore = performance.now();
  let iterations = 0;
  while (iterations < MAX_ITERATIONS && Date.now() === dateBefore) {
    iterations += 1;
  }
  return Response.json({
    dateAdvanced: Date.now() !== dateBefore,
    performanceAdvanced: performance.now() !== performanceBefore,
    iterations,
  });
}

export default {
  fetch(request) {
    return spin();
  },
};
