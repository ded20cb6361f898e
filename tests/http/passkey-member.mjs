// A member with two-step sign-in on and one passkey of the software
// authenticator (authenticator.mjs), made through the API as a person
// would: the passkey tests and the passkey sign-in tests start from it.

import assert from 'node:assert/strict';

import { Authenticator } from './authenticator.mjs';
import { Client, describe, signupOk, totpCode, totpStep } from './harness.mjs';

/**
 * memberWithPasskey() - signs up on the server at url, turns TOTP on and
 * adds a passkey named name: {client, login, password, recovery_key, auth,
 * cred, id (the passkey's), origin, rpId, secret (TOTP), codes (recovery)}.
 */
export async function memberWithPasskey(url, name = 'laptop') {
  const client = new Client(url);
  const m = await signupOk(client);
  const setup = await client.post('/api/v1/totp', { password: m.password });
  assert.equal(setup.status, 201, describe(setup));
  const conf = await client.post('/api/v1/totp/confirm', { code: totpCode(setup.json.secret, totpStep()) });
  assert.equal(conf.status, 200, describe(conf));
  const auth = new Authenticator();
  const opts = await client.post('/api/v1/passkeys/registration-options', { password: m.password });
  assert.equal(opts.status, 200, describe(opts));
  const pk = opts.json.publicKey;
  const cred = auth.create({ challenge: pk.challenge, origin: url, rpId: pk.rp.id });
  const add = await client.post('/api/v1/passkeys', { name, credential: JSON.stringify(cred) });
  assert.equal(add.status, 201, describe(add));
  return { client, login: m.login, password: m.password, recovery_key: m.recovery_key, auth,
    cred, id: add.json.passkeys.find((p) => p.name === name).id, origin: url, rpId: pk.rp.id,
    secret: setup.json.secret, codes: conf.json.recovery_codes };
}
