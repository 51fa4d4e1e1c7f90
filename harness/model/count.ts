// A count with its noun in the right number: "1 cell", "2 cells", "1 policy", "3 policies".

export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
