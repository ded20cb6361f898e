/*
 * Progressive enhancement only: every page works without this file.
 *
 * Quick exit: replace this page in the browser history instead of adding
 * the neutral page after it, so the Back button does not lead back here.
 */
(function () {
	'use strict';
	document.addEventListener('click', function (e) {
		var a = e.target && e.target.closest ? e.target.closest('a.quick-exit') : null;
		if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey)
			return;
		e.preventDefault();
		window.location.replace(a.href);
	});
})();
