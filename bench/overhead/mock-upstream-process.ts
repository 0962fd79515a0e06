// Child-process entry: the mock OpenAI upstream on its own event loop, so its CPU is not the load
// generator's or the gateway's. Reports its port over IPC and exits when the parent goes away.
import { startMockOpenAIServer } from '../../src/testing/mock-openai-server.js';

const mock = await startMockOpenAIServer({ record: false });
process.send?.({ port: mock.port });
const stop = () => void mock.close().finally(() => process.exit(0));
process.once('disconnect', stop);
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
