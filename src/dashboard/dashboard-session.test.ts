import { describe, expect, it } from 'vitest';
import { createDashboardSessions, sessionSigningKey } from './dashboard-session.js';

const NOW = 1_800_000_000_000;
const now = () => NOW;
/** Two processes (workers, replicas) that derive their signing key from the same inputs. */
function pair(inputs: Parameters<typeof sessionSigningKey>[0]) {
  return [createDashboardSessions({ now, masterKey: inputs.masterKey, secret: sessionSigningKey(inputs) }), createDashboardSessions({ now, masterKey: inputs.masterKey, secret: sessionSigningKey(inputs) })];
}

describe('dashboard sessions across processes', () => {
  it('are accepted by every process sharing the master key, and by no process with another one', () => {
    const [one, two] = pair({ masterKey: 'master-key-of-this-deployment' });
    const token = one.issue({ kind: 'key', keyId: 'vk_aaaaaaaaaaaa' });
    expect(two.verify(token)?.viewer).toEqual({ kind: 'key', keyId: 'vk_aaaaaaaaaaaa' });
    const [other] = pair({ masterKey: 'master-key-of-another-deployment' });
    expect(other.verify(token)?.viewer).toBeUndefined();
  });

  it('take admin.session_secret over the master key, and the master key over the secret a primary hands its workers', () => {
    const viewer = { kind: 'key', keyId: 'vk_aaaaaaaaaaaa' } as const;
    const token = pair({ configured: 'configured-secret-0123456789', masterKey: 'master-key-0123456789' })[0].issue(viewer);
    expect(pair({ configured: 'configured-secret-0123456789', masterKey: 'another-master-key-012' })[1].verify(token)?.viewer).toEqual(viewer);
    expect(pair({ masterKey: 'master-key-0123456789' })[1].verify(token)?.viewer).toBeUndefined();
    const worker = pair({ masterKey: 'master-key-0123456789', inherited: 'from-the-primary' })[0].issue({ kind: 'admin' });
    expect(pair({ masterKey: 'master-key-0123456789', inherited: 'from-another-primary' })[1].verify(worker)?.viewer).toEqual({ kind: 'admin' });
    const sibling = pair({ inherited: 'from-the-primary' })[0].issue(viewer);
    expect(pair({ inherited: 'from-the-primary' })[1].verify(sibling)?.viewer).toEqual(viewer);
  });

  it('end an admin session when the master key it was signed in with is rotated or removed, whatever signs them', () => {
    const shared = { configured: 'configured-secret-0123456789' };
    const token = pair({ ...shared, masterKey: 'master-key-0123456789' })[0].issue({ kind: 'admin' });
    expect(pair({ ...shared, masterKey: 'master-key-0123456789' })[1].verify(token)?.viewer).toEqual({ kind: 'admin' });
    expect(pair({ ...shared, masterKey: 'rotated-master-key-0123' })[1].verify(token)).toBeUndefined();
    expect(pair(shared)[1].verify(token)).toBeUndefined();
    expect(() => pair(shared)[0].issue({ kind: 'admin' })).toThrow();
  });

  it('are private to one process when nothing is shared', () => {
    const [one, two] = pair({});
    const viewer = { kind: 'key', keyId: 'vk_aaaaaaaaaaaa' } as const;
    expect(one.verify(one.issue(viewer))?.viewer).toEqual(viewer);
    expect(two.verify(one.issue(viewer))?.viewer).toBeUndefined();
  });

  it('never carry the secret they were signed with', () => {
    const [one] = pair({ masterKey: 'master-key-never-in-a-token' });
    const token = one.issue({ kind: 'admin' });
    expect(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')).not.toContain('master-key');
    expect(token).not.toContain('master-key-never-in-a-token');
  });
});
