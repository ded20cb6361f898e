// A therapist in a couple's care team, for the tests that need one: one
// partner proposes, the other approves, the therapist joins with an
// account of their own.  The consent rules themselves are care.test.mjs's.

import assert from 'node:assert/strict';

import { Client, describe, uniqueLogin, uniquePassword } from './harness.mjs';

/**
 * joinCareTeam() - proposer proposes a care invite, approver approves it,
 * and a therapist joins at url: {client, id, login, password}.
 */
export async function joinCareTeam(url, proposer, approver, name = 'Dr. Care', language = 'en') {
  const inv = await proposer.post('/api/v1/care/invites', {});
  assert.equal(inv.status, 201, describe(inv));
  const ok = await approver.post(`/api/v1/care/invites/${inv.json.invite.id}/approve`);
  assert.equal(ok.status, 200, describe(ok));
  const client = new Client(url);
  const creds = { login: uniqueLogin('t'), password: uniquePassword() };
  const res = await client.post('/api/v1/join',
    { token: ok.json.token, ...creds, display_name: name, language });
  assert.equal(res.status, 201, describe(res));
  assert.equal(res.json.member.role, 'therapist');
  return { client, id: res.json.member.id, ...creds };
}
