// Reads one metric out of a Prometheus text exposition: the sum over its label sets.
export function metricSum(text: string, name: string): number | undefined {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue; // a longer name with this prefix
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (!Number.isFinite(value)) continue;
    found = true;
    sum += value;
  }
  return found ? sum : undefined;
}
