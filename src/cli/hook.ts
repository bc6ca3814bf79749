export async function runHook(_name: string, _args: string[]): Promise<number> {
  return 0;
}
