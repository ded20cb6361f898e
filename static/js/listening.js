/*
 * The listening exercise (/listening/{id}): a turn timer for the speaker,
 * "pass the phone" when a turn ends, and a swap button.  Progressive
 * enhancement only: without this file the steps are all there to read,
 * and the couple keeps time as they like.
 *
 * Every word comes from data-* attributes of #listening, already in the
 * member's language: data-first and data-second (who speaks first and
 * second), data-seconds (a turn's length) and data-label-*.  Nothing is
 * sent anywhere; the count of turns is only shown, for the form below.
 */
(function () {
	'use strict';

	var root = document.getElementById('listening');
	if (!root || !root.querySelector)
		return;
	var timer = root.querySelector('.reflect-timer');
	var now = root.querySelector('.reflect-now');
	var clock = root.querySelector('.reflect-clock');
	var turnsLine = root.querySelector('.listening-turns');
	var startButton = root.querySelector('[data-action="start"]');
	var swapButton = root.querySelector('[data-action="swap"]');
	var turnsInput = document.getElementById('listening-turns');
	var minutesInput = document.getElementById('listening-minutes');
	if (!timer || !now || !clock || !startButton || !swapButton)
		return;

	var label = function (name) {
		return root.getAttribute('data-label-' + name) || '';
	};
	var names = [root.getAttribute('data-first') || '', root.getAttribute('data-second') || ''];
	var seconds = parseInt(root.getAttribute('data-seconds'), 10);
	if (!(seconds > 0 && seconds < 3600))
		seconds = 120;

	var speaker = 0;     /* 0: the first speaker holds the floor; 1: the second */
	var turns = 0;       /* turns begun */
	var began = 0;       /* Date.now() of the first turn */
	var left = 0;        /* milliseconds left when paused */
	var endsAt = 0;
	var ticking = null;
	var due = false;     /* a turn ran out: the next press passes the floor */

	var show = function (ms) {
		var s = Math.max(0, Math.ceil(ms / 1000));
		var r = s % 60;
		clock.textContent = Math.floor(s / 60) + ':' + (r < 10 ? '0' : '') + r;
	};

	var who = function () {
		return label('speaker') + ': ' + names[speaker] + ' · ' +
			label('listener') + ': ' + names[1 - speaker];
	};

	var stopTicking = function () {
		if (ticking !== null) {
			window.clearInterval(ticking);
			ticking = null;
		}
	};

	/* Fill the private form's numbers in (the member still saves it). */
	var note = function () {
		if (turnsLine)
			turnsLine.textContent = label('turns') + ' ' + turns;
		if (turnsInput)
			turnsInput.value = String(turns);
		if (minutesInput && began)
			minutesInput.value = String(Math.max(1, Math.round((Date.now() - began) / 60000)));
	};

	var tick = function () {
		var ms = endsAt - Date.now();
		show(ms);
		if (ms <= 0) {
			stopTicking();
			now.textContent = label('pass') + ' ' + names[1 - speaker];
			startButton.textContent = label('next');
			left = 0;
			due = true;
			note();
		}
	};

	var run = function (ms) {
		endsAt = Date.now() + ms;
		stopTicking();
		ticking = window.setInterval(tick, 250);
		startButton.textContent = label('pause');
		show(ms);
	};

	var begin = function () {
		due = false;
		if (!began)
			began = Date.now();
		turns++;
		now.textContent = who() + '. ' + label('hint');
		note();
		run(seconds * 1000);
	};

	var swap = function () {
		stopTicking();
		left = 0;
		speaker = 1 - speaker;
		begin();
	};

	startButton.addEventListener('click', function () {
		if (due) {
			swap();
		} else if (ticking !== null) {
			left = Math.max(0, endsAt - Date.now());
			stopTicking();
			startButton.textContent = label('resume');
		} else if (left > 0) {
			run(left);
		} else {
			begin();
		}
	});
	swapButton.addEventListener('click', swap);
	document.addEventListener('visibilitychange', function () {
		if (!document.hidden && ticking !== null)
			tick();
	});

	startButton.textContent = label('start');
	show(seconds * 1000);
	root.classList.add('has-timer');
	timer.hidden = false;
})();
