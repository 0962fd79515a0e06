import { describe, expect, it } from 'vitest';
import { createDashboardSessions, sessionSigningKey } from './dashboard-session.js';

const NOW = 1_800_000_000_000;
const now = () => NOW;
/** Two processes (workers, replicas) that derive their signing key from the same inputs. */
function pair(inputs: Parameters<typeof sessionSigningKey>[0]) {
  return [createDashboardSessions({ now, secret: sessionSigningKey(inputs) }), createDashboardSessions({ now, secret: sessionSigningKey(inputs) })];
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
    const token = pair({ configured: 'configured-secret-0123456789', masterKey: 'master-key-0123456789' })[0].issue({ kind: 'admin' });
    expect(pair({ configured: 'configured-secret-0123456789', masterKey: 'another-master-key-012' })[1].verify(token)?.viewer).toEqual({ kind: 'admin' });
    expect(pair({ masterKey: 'master-key-0123456789' })[1].verify(token)?.viewer).toBeUndefined();
    const worker = pair({ masterKey: 'master-key-0123456789', inherited: 'from-the-primary' })[0].issue({ kind: 'admin' });
    expect(pair({ masterKey: 'master-key-0123456789', inherited: 'from-another-primary' })[1].verify(worker)?.viewer).toEqual({ kind: 'admin' });
    const sibling = pair({ inherited: 'from-the-primary' })[0].issue({ kind: 'admin' });
    expect(pair({ inherited: 'from-the-primary' })[1].verify(sibling)?.viewer).toEqual({ kind: 'admin' });
  });

  it('are private to one process when nothing is shared', () => {
    const [one, two] = pair({});
    expect(one.verify(one.issue({ kind: 'admin' }))?.viewer).toEqual({ kind: 'admin' });
    expect(two.verify(one.issue({ kind: 'admin' }))?.viewer).toBeUndefined();
  });

  it('never carry the secret they were signed with', () => {
    const [one] = pair({ masterKey: 'master-key-never-in-a-token' });
    const token = one.issue({ kind: 'admin' });
    expect(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')).not.toContain('master-key');
    expect(token).not.toContain('master-key-never-in-a-token');
  });
});
