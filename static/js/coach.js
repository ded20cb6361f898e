/*
 * The message coach, live (issue 15): every textarea with data-coach gets,
 * a moment after typing stops, the coach's hints from POST /api/v1/coach
 * in a box under it (aria-live polite): the words, then a gentler way to
 * say them.  Nothing is saved and nothing is ever blocked: the form sends
 * as it would without this file, and the page shows the same hints after
 * sending when it has them.
 *
 * data-coach holds the box's heading, already in the member's language;
 * the findings' offsets count code points (Array.from counts the same),
 * and every word and hint is set as text, never as HTML.
 */
(function () {
	'use strict';

	if (!window.fetch || !window.JSON || !Array.from)
		return;
	var areas = Array.prototype.slice.call(document.querySelectorAll('textarea[data-coach]'));
	var n = 0;

	var boxFor = function (area) {
		var id = (area.id || ('coach-area-' + (++n))) + '-coach';
		var box = document.getElementById(id);
		if (!box) {
			box = document.createElement('div');
			box.className = 'flags coach-hints';
			box.id = id;
			box.setAttribute('aria-live', 'polite');
			box.hidden = true;
			area.parentNode.insertBefore(box, area.nextSibling);
		}
		return box;
	};

	var show = function (area, box, text, findings) {
		var described = (area.getAttribute('aria-describedby') || '').split(' ')
			.filter(function (x) { return x && x !== box.id; });
		var chars = Array.from(text);
		box.textContent = '';
		box.hidden = findings.length === 0;
		if (findings.length) {
			var p = document.createElement('p');
			p.className = 'flags-title';
			p.textContent = area.getAttribute('data-coach') || '';
			box.appendChild(p);
			var ul = document.createElement('ul');
			findings.forEach(function (f) {
				var li = document.createElement('li');
				var q = document.createElement('q');
				q.className = 'flag-match';
				q.textContent = chars.slice(f.start, f.end).join('');
				li.appendChild(q);
				li.appendChild(document.createTextNode(' ' + f.hint));
				ul.appendChild(li);
			});
			box.appendChild(ul);
			described.push(box.id);
		}
		if (described.length)
			area.setAttribute('aria-describedby', described.join(' '));
		else
			area.removeAttribute('aria-describedby');
	};

	areas.forEach(function (area) {
		var box = boxFor(area), timer = null, sent = 0;
		var form = area.form;
		var csrf = form ? form.querySelector('input[name="csrf"]') : null;

		var check = function () {
			var mine = ++sent, text = area.value;
			if (!text.trim()) {
				show(area, box, text, []);
				return;
			}
			window.fetch('/api/v1/coach', {
				method: 'POST', credentials: 'same-origin', cache: 'no-store',
				headers: { 'Content-Type': 'application/json',
					'X-CSRF-Token': csrf ? csrf.value : '' },
				body: JSON.stringify({ text: text })
			}).then(function (res) {
				return res.ok ? res.json() : null;
			}).then(function (j) {
				/* only the answer to the latest text counts */
				if (j && j.findings && mine === sent)
					show(area, box, text, j.findings);
			}).catch(function () { /* the hints after sending still work */ });
		};

		area.addEventListener('input', function () {
			if (timer)
				window.clearTimeout(timer);
			timer = window.setTimeout(check, 700);
		});
	});
})();
