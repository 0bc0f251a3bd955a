/**
 * Child for the orphan test: starts the broker as its own child, prints {"brokerPid":n} once the
 * broker is ready, then idles until it is killed, so the test can SIGKILL a broker's parent.
 */
import { spawnBroker } from './broker.js';

const broker = await spawnBroker({ partitions: 1, deadLetterPartitions: 1 });
process.stdout.write(`${JSON.stringify({ brokerPid: broker.pid })}\n`);
setInterval(() => {}, 2 ** 31 - 1);
