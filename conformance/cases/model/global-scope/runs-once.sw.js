globalThis.edgecaseEvaluations = (globalThis.edgecaseEvaluations ?? 0) + 1;
const evaluations = globalThis.edgecaseEvaluations;

addEventListener('fetch', (event) => {
  event.respondWith(new Response(`evaluations: ${evaluations}, seen on globalThis: ${globalThis.edgecaseEvaluations}`));
});
