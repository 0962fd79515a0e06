import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { dashboardUrl, registerDashboardCommand } from './dashboard-command.js';

describe('frugal dashboard', () => {
  it('prints the dashboard URL of the given port, on loopback for a wildcard bind', async () => {
    let printed = '';
    const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (printed += text) });
    registerDashboardCommand(program);
    await program.parseAsync(['dashboard', '--port', '4123', '--host', '0.0.0.0'], { from: 'user' });
    expect(printed.split('\n')[0]).toBe('http://127.0.0.1:4123/dashboard');
    expect(dashboardUrl('::1', 4000)).toBe('http://[::1]:4000/dashboard');
  });
});
