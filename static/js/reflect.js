/*
 * The guided reflection (/reflect): a countdown through the steps listed
 * on the page.  Progressive enhancement only: without this file the steps
 * are all there to read at one's own pace.
 *
 * Every label comes from data-label-* attributes of #reflect, already in
 * the member's language.  With prefers-reduced-motion: reduce nothing
 * scrolls smoothly and the progress bar does not glide (the stylesheet
 * animates only under no-preference); the clock still counts, since a
 * changing number is not motion.
 */
(function () {
	'use strict';

	var root = document.getElementById('reflect');
	if (!root || !root.querySelector)
		return;
	var steps = Array.prototype.slice.call(root.querySelectorAll('.reflect-step'));
	var timer = root.querySelector('.reflect-timer');
	var now = root.querySelector('.reflect-now');
	var clock = root.querySelector('.reflect-clock');
	var fill = root.querySelector('.reflect-bar-fill');
	var startButton = root.querySelector('[data-action="start"]');
	var nextButton = root.querySelector('[data-action="next"]');
	if (!steps.length || !timer || !now || !clock || !startButton || !nextButton)
		return;

	var label = function (name) {
		return root.getAttribute('data-label-' + name) || '';
	};
	var reduceMotion = function () {
		return !!(window.matchMedia &&
			window.matchMedia('(prefers-reduced-motion: reduce)').matches);
	};

	var current = -1;  /* index of the step under way; -1 before the start */
	var total = 0;     /* milliseconds of the current step */
	var left = 0;      /* milliseconds left when paused */
	var endsAt = 0;    /* Date.now() at which the current step ends, while running */
	var ticking = null;

	var seconds = function (i) {
		var s = parseInt(steps[i].getAttribute('data-seconds'), 10);
		return s > 0 && s < 3600 ? s : 60;
	};

	var show = function (ms) {
		var s = Math.max(0, Math.ceil(ms / 1000));
		var m = Math.floor(s / 60);
		var r = s % 60;
		clock.textContent = m + ':' + (r < 10 ? '0' : '') + r;
		if (fill && total > 0)
			fill.style.width = (100 - Math.round(100 * Math.max(0, ms) / total)) + '%';
	};

	var stopTicking = function () {
		if (ticking !== null) {
			window.clearInterval(ticking);
			ticking = null;
		}
	};

	var finish = function () {
		stopTicking();
		steps.forEach(function (li) {
			li.classList.remove('is-current');
			li.removeAttribute('aria-current');
		});
		current = -1;
		now.textContent = label('done');
		clock.textContent = '0:00';
		if (fill)
			fill.style.width = '100%';
		startButton.textContent = label('again');
		nextButton.disabled = true;
	};

	var tick = function () {
		var ms = endsAt - Date.now();
		show(ms);
		if (ms <= 0)
			go(current + 1);
	};

	var run = function (ms) {
		endsAt = Date.now() + ms;
		stopTicking();
		ticking = window.setInterval(tick, 250);
		startButton.textContent = label('pause');
		show(ms);
	};

	/* Begin step i (or finish after the last one). */
	var go = function (i) {
		if (i >= steps.length) {
			finish();
			return;
		}
		if (current >= 0) {
			steps[current].classList.remove('is-current');
			steps[current].removeAttribute('aria-current');
		}
		current = i;
		var li = steps[i];
		var heading = li.querySelector('h2');
		li.classList.add('is-current');
		li.setAttribute('aria-current', 'step');
		now.textContent = label('now') + ': ' + (heading ? heading.textContent : '');
		if (li.scrollIntoView)
			li.scrollIntoView({ behavior: reduceMotion() ? 'auto' : 'smooth', block: 'nearest' });
		total = seconds(i) * 1000;
		nextButton.disabled = false;
		run(total);
	};

	startButton.addEventListener('click', function () {
		if (current < 0) {
			go(0);
		} else if (ticking !== null) {
			left = Math.max(0, endsAt - Date.now());
			stopTicking();
			startButton.textContent = label('resume');
		} else {
			run(left);
		}
	});
	nextButton.addEventListener('click', function () {
		if (current >= 0)
			go(current + 1);
	});
	document.addEventListener('visibilitychange', function () {
		if (!document.hidden && ticking !== null)
			tick();
	});

	nextButton.disabled = true;
	startButton.textContent = label('start');
	show(seconds(0) * 1000);
	root.classList.add('has-timer');
	timer.hidden = false;
})();
