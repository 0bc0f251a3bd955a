/** `npm run simulate -- [flags]`: produce a simulated promotion day to Kafka and write its truth. */
import { CliError, parseCli, USAGE } from './cli-args.js';
import { simulate } from './run.js';

async function main(): Promise<void> {
  const command = parseCli(process.argv.slice(2), process.env);
  if (command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const truth = await simulate(command);
  const deadLetters = Object.values(truth.dead_letters).reduce((a, b) => a + b, 0);
  process.stderr.write(
    `[simulate] truth written to ${command.truthPath}: ${truth.messages.total} messages, ` +
      `${Object.values(truth.counted).reduce((a, b) => a + b, 0)} counted, ${deadLetters} dead letters\n`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(`simulate: ${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`simulate: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
