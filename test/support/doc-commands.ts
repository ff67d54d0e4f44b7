// The vpc-route-sync invocations in a Markdown page's ```sh blocks, as argument lists: lines joined
// at trailing backslashes, comments dropped, and everything after `dist/cli.js` (run from a
// checkout, `npx node dist/cli.js …`, or in the Pod, `… -- node /app/dist/cli.js …`) split on spaces.
export function parseCliArgs(markdown: string): string[][] {
  const commands: string[][] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1]!
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    for (const line of lines) {
      const m = /\bdist\/cli\.js\s+(.*)$/.exec(line);
      if (m) commands.push(m[1]!.split(/\s+/).filter((a) => a !== ""));
    }
  }
  return commands;
}
