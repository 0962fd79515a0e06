import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisReachable, serviceGate, TEST_REDIS_URL } from '../testing/services.js';
import { registerKeysCommand } from './keys-command.js';

const reachable = serviceGate('Redis', TEST_REDIS_URL, await redisReachable(), 'frugal keys telling running gateways over Redis');

async function keys(...args: string[]): Promise<string> {
  let out = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (out += text), writeErr: () => {} });
  registerKeysCommand(program);
  await program.parseAsync(['keys', ...args], { from: 'user' });
  return out;
}

describe.runIf(reachable)('frugal keys revoke|rotate with a config that names Redis', () => {
  const prefix = `frugal-test-keys-cli-${process.pid}-${Date.now()}:`;
  let dir: string;
  let config: string;
  let subscriber: Redis;
  const heard: string[] = [];

  beforeAll(async () => {
    vi.stubEnv('DATABASE_URL', '');
    vi.stubEnv('FRUGAL_CONFIG', '');
    dir = await mkdtemp(join(tmpdir(), 'frugal-keys-redis-'));
    config = join(dir, 'frugal.yaml');
    await writeFile(config, `ledger: { data_dir: "${join(dir, 'data')}" }\nspend_control: { backend: redis, redis_url: "${TEST_REDIS_URL}", key_prefix: "${prefix}" }\n`);
    subscriber = new Redis(TEST_REDIS_URL);
    subscriber.on('message', (_channel: string, message: string) => heard.push(message));
    await subscriber.subscribe(`${prefix}keys:changed`);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    subscriber.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it('tells every gateway listening on the deployment’s channel at once, as /admin/keys does', async () => {
    const id = /vk_[a-z2-7]{12}/.exec(await keys('create', '--name', 'told', '--config', config))?.[0] ?? '';
    expect(id).not.toBe('');
    const revoked = await keys('revoke', id, '--config', config);
    expect(revoked).toContain(`Revoked virtual key ${id}`);
    expect(revoked).toContain('Told the gateways sharing its Redis at once (1 listening).');
    await vi.waitFor(() => expect(heard.some((message) => message.endsWith(` ${id}`))).toBe(true));
    const rotatedId = /vk_[a-z2-7]{12}/.exec(await keys('create', '--name', 'rotated', '--config', config))?.[0] ?? '';
    expect(await keys('rotate', rotatedId, '--config', config)).toContain('Told the gateways sharing its Redis at once');
    await vi.waitFor(() => expect(heard.some((message) => message.endsWith(` ${rotatedId}`))).toBe(true));
  });

  it('without Redis in the config it says running gateways notice within their key cache’s TTL', async () => {
    const plain = join(dir, 'plain.yaml');
    await writeFile(plain, `ledger: { data_dir: "${join(dir, 'data')}" }\n`);
    const id = /vk_[a-z2-7]{12}/.exec(await keys('create', '--name', 'quiet', '--config', plain))?.[0] ?? '';
    expect(await keys('revoke', id, '--config', plain)).toContain('Gateways already running notice within 30 s');
  });
});
