// A software passkey authenticator for the tests: ES256 keys made with
// node's crypto, attestation objects and authenticator data built byte by
// byte (CBOR by hand, RFC 8949), answers serialised as a browser's
// PublicKeyCredential.toJSON() does.  Each ceremony takes knobs that break
// one thing at a time, so that every refusal of the server can be shown.
import crypto from 'node:crypto';

const b64u = (buf) => Buffer.from(buf).toString('base64url');

// ---- CBOR, the subset WebAuthn uses ----
function head(major, n) {
	if (n < 24) return Buffer.from([(major << 5) | n]);
	if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
	if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
	const b = Buffer.alloc(5);
	b[0] = (major << 5) | 26;
	b.writeUInt32BE(n, 1);
	return b;
}
export function cbor(v) {
	if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
	if (typeof v === 'string') return Buffer.concat([head(3, Buffer.byteLength(v)), Buffer.from(v)]);
	if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.concat([head(2, v.length), Buffer.from(v)]);
	if (v instanceof Map) {
		const parts = [head(5, v.size)];
		for (const [k, x] of v) parts.push(cbor(k), cbor(x));
		return Buffer.concat(parts);
	}
	throw new Error('cbor: unsupported value');
}

const FLAG_UP = 0x01, FLAG_UV = 0x04, FLAG_AT = 0x40;

export class Authenticator {
	constructor() {
		this.creds = new Map(); // id (base64url) -> {key, counter, rpId}
	}

	// The COSE_Key of a public key: EC2, P-256, ES256 (alg may be changed to break it).
	static coseKey(publicKey, alg = -7) {
		const jwk = publicKey.export({ format: 'jwk' });
		return cbor(new Map([[1, 2], [3, alg], [-1, 1],
			[-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')]]));
	}

	static clientData(type, challenge, origin, extra = {}) {
		return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false, ...extra }));
	}

	// The PRF's output as WebAuthn defines it over CTAP2's hmac-secret:
	// HMAC-SHA-256 under the credential's secret of SHA-256("WebAuthn PRF" 0x00 salt).
	static prfOf(secret, saltB64) {
		const salt = crypto.createHash('sha256')
			.update(Buffer.concat([Buffer.from('WebAuthn PRF'), Buffer.from([0]), Buffer.from(saltB64, 'base64url')])).digest();
		return crypto.createHmac('sha256', secret).update(salt).digest();
	}

	static authData(rpId, flags, counter, attested = Buffer.alloc(0)) {
		const head = Buffer.alloc(37);
		crypto.createHash('sha256').update(rpId).digest().copy(head, 0);
		head[32] = flags;
		head.writeUInt32BE(counter >>> 0, 33);
		return Buffer.concat([head, attested]);
	}

	// navigator.credentials.create(): o = {challenge, origin, rpId} and knobs:
	// type, alg, fmt ('none' | 'packed' | other), flags, trailing (bytes after the object).
	create(o) {
		const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
		const id = crypto.randomBytes(o.idLength ?? 32);
		const idLen = Buffer.alloc(2);
		idLen.writeUInt16BE(id.length);
		const attested = Buffer.concat([Buffer.alloc(16), idLen, id, Authenticator.coseKey(publicKey, o.alg ?? -7)]);
		const authData = Authenticator.authData(o.rpId, o.flags ?? (FLAG_UP | FLAG_UV | FLAG_AT), 0, attested);
		const cd = Authenticator.clientData(o.type ?? 'webauthn.create', o.challenge, o.origin);
		const fmt = o.fmt ?? 'none';
		let stmt = new Map();
		if (fmt === 'packed') {
			const hash = crypto.createHash('sha256').update(cd).digest();
			stmt = new Map([['alg', -7], ['sig', crypto.sign('sha256', Buffer.concat([authData, hash]), privateKey)]]);
		}
		let att = cbor(new Map([['fmt', fmt], ['attStmt', stmt], ['authData', authData]]));
		if (o.trailing) att = Buffer.concat([att, Buffer.from(o.trailing)]);
		// the PRF extension (hmac-secret): a secret of the credential's own
		this.creds.set(b64u(id), { key: privateKey, counter: 0, rpId: o.rpId, prf: crypto.randomBytes(32) });
		return {
			id: b64u(id), rawId: b64u(id), type: 'public-key',
			response: { clientDataJSON: b64u(cd), attestationObject: b64u(att), transports: ['internal'] },
			clientExtensionResults: {},
		};
	}

	// navigator.credentials.get(): o = {challenge, origin, rpId, id} and knobs:
	// type, flags, counter (else the next one), badSignature, trailing (after authData),
	// prf (the salt of extensions.prf.eval.first, base64url: the output is in the answer),
	// prfOutput (an output of the caller's in its place, base64url).
	get(o) {
		const c = this.creds.get(o.id);
		if (!c) throw new Error('authenticator: no such credential');
		c.counter = o.counter ?? c.counter + 1;
		let authData = Authenticator.authData(o.rpId ?? c.rpId, o.flags ?? (FLAG_UP | FLAG_UV), c.counter);
		const cd = Authenticator.clientData(o.type ?? 'webauthn.get', o.challenge, o.origin);
		if (o.trailing) authData = Buffer.concat([authData, Buffer.from(o.trailing)]);
		const hash = crypto.createHash('sha256').update(cd).digest();
		const sig = crypto.sign('sha256', Buffer.concat([authData, hash]), c.key);
		if (o.badSignature) sig[sig.length - 1] ^= 1;
		const ext = {};
		if (o.prfOutput) ext.prf = { results: { first: o.prfOutput } };
		else if (o.prf) ext.prf = { results: { first: b64u(Authenticator.prfOf(c.prf, o.prf)) } };
		return {
			id: o.id, rawId: o.id, type: 'public-key',
			response: { clientDataJSON: b64u(cd), authenticatorData: b64u(authData), signature: b64u(sig), userHandle: null },
			clientExtensionResults: ext,
		};
	}
}
