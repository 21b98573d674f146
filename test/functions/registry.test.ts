// src/functions/registry.ts: which of the process's functions a call's profile allows.
import { describe, expect, it } from 'vitest';
import { mcpFunctionName, profileAllows } from '../../src/functions/registry.js';

describe('profileAllows', () => {
  it('takes every function when the profile lists none in particular', () => {
    expect(profileAllows('all', 'lookup_order')).toBe(true);
    expect(profileAllows('all', mcpFunctionName('orders', 'cancel'))).toBe(true);
  });

  it('matches HTTP tools by name and MCP tools by their server.tool name', () => {
    const allowed = ['lookup_order', 'orders.cancel'];
    expect(profileAllows(allowed, 'lookup_order')).toBe(true);
    expect(profileAllows(allowed, mcpFunctionName('orders', 'cancel'))).toBe(true);
    expect(profileAllows(allowed, mcpFunctionName('orders', 'refund'))).toBe(false);
    expect(profileAllows(allowed, mcpFunctionName('billing', 'cancel'))).toBe(false);
    expect(profileAllows(allowed, 'book_slot')).toBe(false);
    expect(profileAllows([], 'lookup_order')).toBe(false);
  });
});
