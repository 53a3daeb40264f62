// The tiny function every runFunction peer calls: plain JavaScript (.mjs) so worker threads
// load it without a TypeScript loader. Default export for piscina/tinypool (one task object),
// `add` for ergate's FunctionRef (positional args).
export default function addTask({ a, b }) {
  return a + b;
}

export function add(a, b) {
  return a + b;
}
