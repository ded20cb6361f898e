/*
 * Auto-lock, the part a browser can do: progressive enhancement only.
 *
 * The lock itself is the server's: a session whose member chose an idle
 * time (Settings, "Lock after") and that made no request for that long is
 * locked, and every page and API answer is the lock until the password is
 * typed again.  A page already on the screen makes no request, though, so
 * without this file it would stay readable until the next click.  This
 * file, loaded only on pages of a member with auto-lock on (the layout sets
 * data-autolock on <body>, in seconds):
 *  - hides the page and loads it again once the time has passed since the
 *    page last spoke to the server, so that the lock page replaces it;
 *  - checks at once when the tab or the phone wakes up (timers sleep in
 *    the background) and when a page comes back from the back-forward
 *    cache, before anyone can read it;
 *  - while the member is using the page (typing, tapping, scrolling)
 *    tells the server now and then (HEAD /api/v1/me), so that a long
 *    journal entry being written does not lock under their fingers.
 * Nothing is stored and nothing leaves for anywhere but this server.
 */
(function () {
	'use strict';

	var limit = Number(document.body && document.body.getAttribute('data-autolock')) * 1000;
	if (!(limit > 0))
		return;
	/* the server may lock a little early (it marks use at most every tenth of the time) */
	var lockAfter = limit * 0.9;
	var pingAfter = limit / 4;
	var lastServer = Date.now();
	var pinging = false;
	var locking = false;

	function lock() {
		if (locking)
			return;
		locking = true;
		document.documentElement.style.visibility = 'hidden';
		document.title = '';
		/* the same address again, as a GET: the server answers with the lock page */
		window.location.replace(window.location.pathname + window.location.search);
	}

	function check() {
		if (Date.now() - lastServer >= lockAfter)
			lock();
	}

	function used() {
		check();
		if (locking || pinging || Date.now() - lastServer < pingAfter || !window.fetch)
			return;
		pinging = true;
		var sent = Date.now();
		window.fetch('/api/v1/me', { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' })
			.then(function (res) {
				if (res.status === 200)
					lastServer = sent;
				else
					lock(); /* locked or signed out meanwhile */
			}, function () {
				/* offline: the server has not seen this use; the timer decides */
			})
			.then(function () { pinging = false; });
	}

	['keydown', 'input', 'pointerdown', 'touchstart', 'wheel'].forEach(function (name) {
		document.addEventListener(name, used, { capture: true, passive: true });
	});
	document.addEventListener('visibilitychange', function () {
		if (!document.hidden)
			check();
	});
	window.addEventListener('pageshow', check);
	window.addEventListener('focus', check);
	window.setInterval(check, Math.min(5000, limit / 10));
})();
