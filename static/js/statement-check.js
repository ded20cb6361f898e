/*
 * The live statement check (/statements/new, /statements/{id}): as the
 * member writes, the parts are sent to POST /api/v1/statements/check a
 * moment after typing stops, and each part's findings are shown under it,
 * the way the server shows them after saving.  Nothing is saved by the
 * check.  Progressive enhancement only: without this file the findings
 * appear after "Save draft".
 *
 * The heading of a list comes from the form's data-flags-title, already in
 * the member's language; the findings' words and suggestions come from the
 * server and are set as text, never as HTML.
 */
(function () {
	'use strict';

	var form = document.querySelector('form[data-live-check]');
	if (!form || !window.fetch || !window.JSON)
		return;
	var url = form.getAttribute('data-live-check');
	var title = form.getAttribute('data-flags-title') || '';
	var csrfInput = form.querySelector('input[name="csrf"]');
	var areas = Array.prototype.slice.call(form.querySelectorAll('.statement-part textarea'));
	var timer = null, sent = 0;

	/* The list under one part: the server's one, or a new one made for it */
	var listFor = function (area) {
		var id = area.id + '-flags';
		var box = document.getElementById(id);
		if (!box) {
			box = document.createElement('div');
			box.className = 'flags';
			box.id = id;
			box.setAttribute('aria-live', 'polite');
			var why = document.getElementById(area.id + '-why');
			(why || area).parentNode.insertBefore(box, why ? why.nextSibling : area.nextSibling);
		}
		return box;
	};

	var show = function (flags) {
		areas.forEach(function (area) {
			var mine = flags.filter(function (f) { return f.field === area.name; });
			var box = listFor(area);
			var described = (area.getAttribute('aria-describedby') || '').split(' ')
				.filter(function (x) { return x && x !== box.id; });
			box.textContent = '';
			box.hidden = mine.length === 0;
			if (mine.length) {
				var p = document.createElement('p');
				p.className = 'flags-title';
				p.textContent = title;
				box.appendChild(p);
				var ul = document.createElement('ul');
				mine.forEach(function (f) {
					var li = document.createElement('li');
					var q = document.createElement('q');
					q.className = 'flag-match';
					q.textContent = f.match;
					li.appendChild(q);
					li.appendChild(document.createTextNode(' ' + f.suggestion));
					ul.appendChild(li);
				});
				box.appendChild(ul);
				described.push(box.id);
			}
			area.setAttribute('aria-describedby', described.join(' '));
		});
	};

	var check = function () {
		var body = {}, mine = ++sent;
		areas.forEach(function (area) { body[area.name] = area.value; });
		window.fetch(url, {
			method: 'POST', credentials: 'same-origin', cache: 'no-store',
			headers: { 'Content-Type': 'application/json',
				'X-CSRF-Token': csrfInput ? csrfInput.value : '' },
			body: JSON.stringify(body)
		}).then(function (res) {
			return res.ok ? res.json() : null;
		}).then(function (j) {
			/* only the answer to the latest text counts */
			if (j && j.flags && mine === sent)
				show(j.flags);
		}).catch(function () { /* the check after saving still works */ });
	};

	areas.forEach(function (area) {
		area.addEventListener('input', function () {
			if (timer)
				window.clearTimeout(timer);
			timer = window.setTimeout(check, 700);
		});
	});
})();
