// Writes src/vault/test-webauthn-vectors.h: a registration ("none" and
// "packed" self-attestation), one with an EdDSA key, and an assertion,
// made once by the software authenticator of the HTTP tests with a fixed
// challenge, origin and RP id.  The unit test breaks them one field at a
// time.  Run: node tests/webauthn/make-vectors.mjs > src/vault/test-webauthn-vectors.h
import { Authenticator } from '../http/authenticator.mjs';

const challenge = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('base64url');
const origin = 'https://kintsugi.example';
const rpId = 'kintsugi.example';
const a = new Authenticator();
const none = a.create({ challenge, origin, rpId });
const packed = a.create({ challenge, origin, rpId, fmt: 'packed' });
const eddsa = a.create({ challenge, origin, rpId, alg: -8 });
const got = a.get({ challenge, origin, rpId, id: none.id, counter: 5 });

const carr = (name, b64) => {
	const buf = Buffer.from(b64, 'base64url');
	const bytes = [...buf].map((x) => `0x${x.toString(16).padStart(2, '0')}`);
	const lines = [];
	for (let i = 0; i < bytes.length; i += 12) lines.push('\t' + bytes.slice(i, i + 12).join(', ') + ',');
	return `static const unsigned char ${name}[] = {\n${lines.join('\n')}\n};\n`;
};
process.stdout.write(`/* test-webauthn-vectors.h: made by tests/webauthn/make-vectors.mjs; do not edit. */
#define VEC_ORIGIN "${origin}"
#define VEC_RP_ID "${rpId}"
#define VEC_COUNTER 5
${carr('vec_none_cd', none.response.clientDataJSON)}${carr('vec_none_att', none.response.attestationObject)}${carr('vec_packed_cd', packed.response.clientDataJSON)}${carr('vec_packed_att', packed.response.attestationObject)}${carr('vec_eddsa_att', eddsa.response.attestationObject)}${carr('vec_get_cd', got.response.clientDataJSON)}${carr('vec_get_ad', got.response.authenticatorData)}${carr('vec_get_sig', got.response.signature)}`);
