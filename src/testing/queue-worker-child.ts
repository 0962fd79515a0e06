// A worker process for the kill -9 test of the embedded queue: works one queue of a SQLite queue file, says
// "started <job id> <attempt>" on stdout for each job it takes, and never finishes one (it is killed mid-job).
// Usage: node --import tsx src/testing/queue-worker-child.ts <queue file> <queue name> <lease ms>
import { createSqliteJobQueue } from '../queue/sqlite-job-queue.js';

const [path, name, leaseMs] = process.argv.slice(2);
const queue = createSqliteJobQueue({ path, leaseMs: Number(leaseMs), pollMs: 20 });
await queue.work(name, { concurrency: 1 }, async (job) => {
  process.stdout.write(`started ${job.id} ${job.attempt}\n`);
  await new Promise(() => {});
});
