globalThis.edgecaseEvaluations = (globalThis.edgecaseEvaluations ?? 0) + 1;
const evaluations = globalThis.edgecaseEvaluations;

export default {
  fetch(request) {
    return new Response(`evaluations: ${evaluations}, seen on globalThis: ${globalThis.edgecaseEvaluations}`);
  },
};
