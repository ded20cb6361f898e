/*
 * Passkeys on the pages (issue 11 part 2): adding one from the settings,
 * and answering the second factor with one beside a code field (sign-in,
 * recovery, removing a passkey).  navigator.credentials exists only for
 * script, so this is the one way to add a passkey; everything else keeps
 * working without it, with a code.
 *
 * - form[data-passkey-create]: hidden until this file finds WebAuthn.  On
 *   submit: POST /api/v1/passkeys/registration-options {password}, then
 *   navigator.credentials.create(), then POST /api/v1/passkeys {name,
 *   credential}; both with the form's CSRF token in X-CSRF-Token, as the
 *   API takes it.  Then the settings again, which list the new passkey.
 * - [data-passkey-get]: a "Use a passkey" button, hidden until WebAuthn is
 *   found.  Its request options come from data-options (put in the page by
 *   the server, after the right password) or from a POST to
 *   data-options-url; the answer goes into a hidden field "passkey" of the
 *   same form, which is then sent: the code field (data-code) is no longer
 *   required.
 *
 * - [data-passkey-signin] (the sign-in page): "Sign in with a passkey",
 *   hidden until WebAuthn is found.  POST /api/v1/passkeys/signin-options,
 *   navigator.credentials.get() with the PRF's salt, POST
 *   /api/v1/passkeys/signin {credential}; the answer sets the session
 *   cookie, and the page goes home.
 * - [data-passkey-signin-on] (settings, one per passkey): "Let it sign me
 *   in on its own".  POST /api/v1/passkeys/{id}/signin-options, that
 *   passkey's answer with the PRF's output, PUT /api/v1/passkeys/{id}/signin.
 *
 * Messages come from data-label-* attributes, already in the member's
 * language, or from the API's own error message.
 */
(function () {
	'use strict';

	if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch ||
	    !document.querySelector)
		return;

	var toBytes = function (s) {
		var b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
		var out = new Uint8Array(b.length);
		for (var i = 0; i < b.length; i++)
			out[i] = b.charCodeAt(i);
		return out.buffer;
	};
	var toB64u = function (buf) {
		var bytes = new Uint8Array(buf), s = '';
		for (var i = 0; i < bytes.length; i++)
			s += String.fromCharCode(bytes[i]);
		return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
	};
	var withIds = function (list) {
		return (list || []).map(function (d) {
			return { type: d.type, id: toBytes(d.id) };
		});
	};

	/* PublicKeyCredential{Creation,Request}Options from their JSON form */
	var creationOptions = function (o) {
		var c = Object.assign({}, o);
		c.challenge = toBytes(o.challenge);
		c.user = Object.assign({}, o.user, { id: toBytes(o.user.id) });
		c.excludeCredentials = withIds(o.excludeCredentials);
		return c;
	};
	var requestOptions = function (o) {
		var c = Object.assign({}, o);
		c.challenge = toBytes(o.challenge);
		c.allowCredentials = withIds(o.allowCredentials);
		if (o.extensions && o.extensions.prf && o.extensions.prf.eval)
			c.extensions = { prf: { eval: { first: toBytes(o.extensions.prf.eval.first) } } };
		return c;
	};

	/* the PRF's output, as base64url, or undefined */
	var prfOutput = function (cred) {
		var ext = cred.getClientExtensionResults ? cred.getClientExtensionResults() : {};
		var first = ext && ext.prf && ext.prf.results && ext.prf.results.first;
		return first ? toB64u(first) : undefined;
	};

	/* PublicKeyCredential.toJSON(), for browsers that lack it; the PRF's output as base64url */
	var credentialJSON = function (cred) {
		var prf = prfOutput(cred);
		if (typeof cred.toJSON === 'function') {
			var j = cred.toJSON();
			if (prf)
				j.clientExtensionResults = Object.assign({}, j.clientExtensionResults,
					{ prf: { results: { first: prf } } });
			return j;
		}
		var r = cred.response, resp = { clientDataJSON: toB64u(r.clientDataJSON) };
		if (r.attestationObject) {
			resp.attestationObject = toB64u(r.attestationObject);
			resp.transports = r.getTransports ? r.getTransports() : [];
		} else {
			resp.authenticatorData = toB64u(r.authenticatorData);
			resp.signature = toB64u(r.signature);
			resp.userHandle = r.userHandle ? toB64u(r.userHandle) : null;
		}
		return {
			id: cred.id, rawId: toB64u(cred.rawId), type: cred.type, response: resp,
			clientExtensionResults: prf ? { prf: { results: { first: prf } } } : {}
		};
	};

	var csrfOf = function (form) {
		var input = form && form.querySelector('input[name="csrf"]');
		return input ? input.value : '';
	};

	/* Send JSON to the API; resolves to the answer's JSON, rejects with {message} */
	var send = function (method, url, csrf, body) {
		var headers = { 'Content-Type': 'application/json' };
		if (csrf)
			headers['X-CSRF-Token'] = csrf;
		return window.fetch(url, {
			method: method, credentials: 'same-origin', cache: 'no-store', headers: headers,
			body: JSON.stringify(body || {})
		}).then(function (res) {
			return res.json().catch(function () { return {}; }).then(function (j) {
				if (!res.ok)
					throw { message: (j.error && j.error.message) || '' };
				return j;
			});
		});
	};
	var post = function (url, csrf, body) {
		return send('POST', url, csrf, body);
	};

	var say = function (el, text) {
		if (!el)
			return;
		el.textContent = text;
		el.hidden = !text;
	};

	/* Any of the form's required fields, other than skip, that is not filled: shown, and false. */
	var othersValid = function (form, skip) {
		var fields = form.querySelectorAll('input[required]');
		for (var i = 0; i < fields.length; i++)
			if (fields[i] !== skip && fields[i].type !== 'radio' && !fields[i].checkValidity()) {
				fields[i].reportValidity();
				return false;
			}
		return true;
	};

	/* ---- adding a passkey ---- */
	Array.prototype.forEach.call(document.querySelectorAll('form[data-passkey-create]'), function (form) {
		var error = form.querySelector('[role="alert"]');
		var button = form.querySelector('button[type="submit"]');
		var busy = false;

		form.addEventListener('submit', function (ev) {
			ev.preventDefault();
			if (busy)
				return;
			busy = true;
			button.disabled = true;
			say(error, '');
			var csrf = csrfOf(form);
			var name = form.querySelector('input[name="name"]').value;
			var failed = form.getAttribute('data-label-failed');
			var password = form.querySelector('input[name="password"]');
			post('/api/v1/passkeys/registration-options', csrf, { password: password.value })
				.then(function (opts) {
					return navigator.credentials.create({ publicKey: creationOptions(opts.publicKey) })
						.catch(function () { throw { message: failed }; });
				})
				.then(function (cred) {
					return post('/api/v1/passkeys', csrf,
						{ name: name, credential: JSON.stringify(credentialJSON(cred)) });
				})
				.then(function () {
					window.location.assign('/settings?changed=passkey_added#passkeys');
				})
				.catch(function (e) {
					busy = false;
					button.disabled = false;
					password.value = '';
					say(error, (e && e.message) || form.getAttribute('data-label-error'));
					error.setAttribute('tabindex', '-1');
					error.focus();
				});
		});
		Array.prototype.forEach.call(document.querySelectorAll('[data-passkey-fallback]'), function (p) {
			p.hidden = true;
		});
		form.hidden = false;
	});

	/*
	 * A button in box: on click, options from optionsUrl, the passkey's
	 * answer, then finish(credential JSON); failures are said in the box.
	 */
	var ceremony = function (box, optionsUrl, csrf, finish) {
		var button = box.querySelector('button');
		var error = box.querySelector('[role="alert"]');
		if (!button)
			return;
		button.addEventListener('click', function () {
			button.disabled = true;
			say(error, '');
			post(optionsUrl(), csrf, {})
				.then(function (opts) {
					return navigator.credentials.get({ publicKey: requestOptions(opts.publicKey) })
						.catch(function () { throw { message: box.getAttribute('data-label-failed') }; });
				})
				.then(function (cred) {
					return finish(JSON.stringify(credentialJSON(cred)));
				})
				.catch(function (e) {
					button.disabled = false;
					say(error, (e && e.message) || box.getAttribute('data-label-error'));
				});
		});
		box.hidden = false;
	};

	/* ---- signing in with a passkey alone ---- */
	Array.prototype.forEach.call(document.querySelectorAll('[data-passkey-signin]'), function (box) {
		ceremony(box, function () { return '/api/v1/passkeys/signin-options'; }, '', function (credential) {
			return post('/api/v1/passkeys/signin', '', { credential: credential }).then(function () {
				window.location.assign('/home');
			});
		});
	});

	/* ---- letting a passkey sign in alone ---- */
	Array.prototype.forEach.call(document.querySelectorAll('[data-passkey-signin-on]'), function (box) {
		var id = box.getAttribute('data-id'), csrf = box.getAttribute('data-csrf');
		var base = '/api/v1/passkeys/' + encodeURIComponent(id);
		ceremony(box, function () { return base + '/signin-options'; }, csrf, function (credential) {
			return send('PUT', base + '/signin', csrf, { credential: credential }).then(function () {
				window.location.assign('/settings?changed=passkey_signin_on#passkeys');
			});
		});
	});

	/* ---- answering the second factor with a passkey ---- */
	Array.prototype.forEach.call(document.querySelectorAll('[data-passkey-get]'), function (box) {
		var form = box.closest('form');
		var button = box.querySelector('button');
		var error = box.querySelector('[role="alert"]');
		var code = document.getElementById(box.getAttribute('data-code'));
		if (!form || !button)
			return;

		var options = function () {
			var url = box.getAttribute('data-options-url');
			if (url)
				return post(url, csrfOf(form), {});
			return Promise.resolve(JSON.parse(box.getAttribute('data-options')));
		};

		button.addEventListener('click', function () {
			if (!othersValid(form, code))
				return;
			button.disabled = true;
			say(error, '');
			options()
				.then(function (opts) {
					return navigator.credentials.get({ publicKey: requestOptions(opts.publicKey) })
						.catch(function () { throw { message: box.getAttribute('data-label-failed') }; });
				})
				.then(function (cred) {
					var answer = form.querySelector('input[name="passkey"]');
					if (!answer) {
						answer = document.createElement('input');
						answer.type = 'hidden';
						answer.name = 'passkey';
						form.appendChild(answer);
					}
					answer.value = JSON.stringify(credentialJSON(cred));
					if (code) {
						code.required = false;
						code.value = '';
					}
					form.submit();
				})
				.catch(function (e) {
					button.disabled = false;
					say(error, (e && e.message) || box.getAttribute('data-label-failed'));
				});
		});
		box.hidden = false;
	});
})();
