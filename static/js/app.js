/*
 * Progressive enhancement only: every page works without this file.
 *
 * Quick exit.  The link at the top of every page goes to the neutral /exit
 * page; with this file the link, or the Escape key pressed three times
 * within 1.5 seconds, also:
 *  - hides this page at once, so nothing of it stays on screen while the
 *    neutral page loads;
 *  - replaces this page in the browser history instead of adding the
 *    neutral page after it (location.replace, after history.replaceState
 *    has already pointed this entry at /exit), so Back does not lead here
 *    and the history does not grow;
 *  - remembers in this tab (sessionStorage) that a quick exit happened, so
 *    that an earlier kintsugi page reached with Back or Forward is
 *    replaced by the neutral page too, before anyone can read it.  Opening
 *    a kintsugi page in any other way (a link, the address bar, reload)
 *    forgets it.
 */
(function () {
	'use strict';

	var EXIT = '/exit';
	var FLAG = 'kintsugi-quick-exit';
	var PRESSES = 3;
	var WINDOW_MS = 1500;

	function remember(on) {
		try {
			if (on)
				window.sessionStorage.setItem(FLAG, '1');
			else
				window.sessionStorage.removeItem(FLAG);
		} catch (err) {
			/* storage disabled: the exit itself still works */
		}
	}

	function remembered() {
		try {
			return window.sessionStorage.getItem(FLAG) === '1';
		} catch (err) {
			return false;
		}
	}

	function quickExit() {
		remember(true);
		document.documentElement.style.visibility = 'hidden';
		document.title = '';
		try {
			window.history.replaceState(null, '', EXIT);
		} catch (err) {
			/* not allowed here: location.replace below still replaces the entry */
		}
		window.location.replace(EXIT);
	}

	function reachedByHistory() {
		var nav = window.performance && window.performance.getEntriesByType ?
			window.performance.getEntriesByType('navigation')[0] : null;
		return Boolean(nav && nav.type === 'back_forward');
	}

	if (remembered()) {
		if (reachedByHistory()) {
			quickExit();
			return;
		}
		remember(false);
	}

	/* A page restored from the back-forward cache runs no script: catch it here. */
	window.addEventListener('pageshow', function (e) {
		if (e.persisted && remembered())
			quickExit();
	});

	document.addEventListener('click', function (e) {
		var a = e.target && e.target.closest ? e.target.closest('a.quick-exit') : null;
		if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey)
			return;
		e.preventDefault();
		quickExit();
	});

	var presses = [];
	document.addEventListener('keydown', function (e) {
		if ((e.key !== 'Escape' && e.key !== 'Esc') || e.repeat)
			return;
		var now = Date.now();
		presses.push(now);
		while (presses.length && now - presses[0] > WINDOW_MS)
			presses.shift();
		if (presses.length >= PRESSES) {
			presses = [];
			quickExit();
		}
	}, true);
})();
