// SecureTransmit receiver dashboard: renders the /events stream (Server-Sent Events) without reloading.
// Everything that comes from a sender (file names, fingerprints, ...) is written with textContent, never as HTML.
'use strict';

(() => {
  const MAX_CARDS = 200;          // the receiver's feed keeps 200 items; keep the page bounded alike
  const OFFLINE_RETRY_MS = 5000;  // when the stream is refused (e.g. 503) EventSource gives up; we try again

  const $ = (sel, root = document) => root.querySelector(sel);
  const gallery = $('#gallery');
  const template = $('#card-template');
  const statusEl = $('#status');
  const chart = $('#chart');

  const state = { instance: null, cards: new Map(), stats: null, statsAt: 0, source: null, retry: null };

  // ---------- formatting ----------
  const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const bytesExact = (n) => `${intFmt.format(n)} B`;
  function bytesHuman(n) {
    if (n < 1000) return `${Math.round(n)} B`;
    const units = ['kB', 'MB', 'GB', 'TB'];
    let v = n, i = -1;
    do { v /= 1000; i++; } while (v >= 1000 && i < units.length - 1);
    return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
  }
  const ms = (v) => (num(v) === null ? '–' : v < 10 ? `${v.toFixed(2)} ms` : `${v.toFixed(1)} ms`);
  const short = (fp) => (typeof fp === 'string' ? fp.slice(0, 16) : '');

  function field(root, name) { return root.querySelector(`[data-field="${name}"]`); }
  function setText(root, name, text, title) {
    const el = field(root, name);
    if (!el) return;
    el.textContent = text;
    if (title !== undefined) el.title = title;
  }

  // ---------- connection status ----------
  function setStatus(s, text) {
    statusEl.dataset.state = s;
    $('.status-text', statusEl).textContent = text;
  }

  // ---------- cards ----------
  function addImage(d) {
    const n = num(d.n);
    const file = typeof d.file === 'string' ? d.file : '';
    if (n === null || !file || state.cards.has(n)) return;

    const card = template.content.firstElementChild.cloneNode(true);
    card.dataset.n = String(n);
    card.dataset.file = file;

    const url = '/images/' + encodeURIComponent(file);
    const recon = $('img.recon', card);
    recon.src = url;
    $('a.pic-link', card).href = url;
    $('img.cipher', card).src = '/cipher/' + encodeURIComponent(file);
    if (d.has_original === true) {
      $('img.original', card).src = '/original/' + encodeURIComponent(file);
      $('.pic-original', card).hidden = false;
      $('.pictures', card).classList.add('three');
    }

    const name = typeof d.display_name === 'string' && d.display_name ? d.display_name : file;
    setText(card, 'display_name', name, name);
    setText(card, 'n', `#${n}`);
    const w = num(d.width), h = num(d.height);
    setText(card, 'dims', w && h ? `${w}×${h}` : '');
    const at = typeof d.received_at === 'string' ? new Date(d.received_at) : null;
    setText(card, 'received_at', at && !isNaN(at) ? at.toLocaleTimeString([], { hour12: false }) : '', typeof d.received_at === 'string' ? d.received_at : '');
    setText(card, 'model', String(d.model ?? '?'));
    setText(card, 'cipher', String(d.cipher ?? '?'));
    setText(card, 'sender', short(d.sender_fingerprint), typeof d.sender_fingerprint === 'string' ? `sender ${d.sender_fingerprint}` : '');

    const wire = num(d.wire_bytes);
    setText(card, 'wire_bytes', wire === null ? '–' : bytesExact(wire));
    const ratio = num(d.ratio_vs_png);
    setText(card, 'ratio', ratio === null ? '–' : `${ratio.toFixed(1)}:1`,
      num(d.original_png_bytes) ? `original PNG ${bytesExact(d.original_png_bytes)}` : '');
    const bpp = num(d.bpp);
    setText(card, 'bpp', bpp === null ? '–' : bpp.toFixed(3));
    const psnr = num(d.psnr), ssim = num(d.ssim);
    setText(card, 'psnr', psnr === null ? '' : `${psnr.toFixed(2)} dB`);
    setText(card, 'ssim', ssim === null ? '' : ssim.toFixed(4));
    $('[data-metric="psnr"]', card).hidden = psnr === null;
    $('[data-metric="ssim"]', card).hidden = ssim === null;
    setText(card, 'tiles', num(d.tiles) === null ? '–' : intFmt.format(d.tiles), num(d.tile) ? `${d.tile}×${d.tile} px tiles` : '');
    const preview = num(d.cipher_preview_bytes), latent = num(d.latent_bytes);
    setText(card, 'cipher_note', preview === null ? '' : latent !== null && latent > preview
      ? `first ${bytesExact(preview)} of ${bytesExact(latent)}` : bytesExact(preview));

    const times = { receive: num(d.receive_ms) ?? 0, decrypt: num(d.decrypt_ms) ?? 0, decode: num(d.decode_ms) ?? 0 };
    const total = times.receive + times.decrypt + times.decode;
    for (const k of Object.keys(times)) {
      setText(card, `${k}_ms`, ms(times[k]));
      // CSSOM (not a style attribute), which the page's CSP allows
      $(`.t-${k}`, card).style.width = total > 0 ? `${(100 * times[k] / total).toFixed(2)}%` : '0';
    }

    // newest first: before the first card with a smaller number
    let before = null;
    for (const c of gallery.querySelectorAll('.card')) {
      if (Number(c.dataset.n) < n) { before = c; break; }
    }
    gallery.insertBefore(card, before);
    state.cards.set(n, card);
    $('#empty').hidden = true;
    card.classList.add('fresh');
    setTimeout(() => card.classList.remove('fresh'), 4000);

    while (state.cards.size > MAX_CARDS) {
      const oldest = Math.min(...state.cards.keys());
      state.cards.get(oldest).remove();
      state.cards.delete(oldest);
    }
  }

  function clearGallery() {
    for (const c of state.cards.values()) c.remove();
    state.cards.clear();
    $('#empty').hidden = false;
  }

  // ---------- totals and chart ----------
  function updateStats(s) {
    state.stats = s;
    state.statsAt = Date.now();
    const images = num(s.images) ?? 0, wire = num(s.wire_bytes) ?? 0, png = num(s.png_bytes) ?? 0;
    $('#stat-images').textContent = intFmt.format(images);
    const started = typeof s.started === 'string' ? new Date(s.started) : null;
    $('#stat-since').textContent = started && !isNaN(started) ? `since ${started.toLocaleTimeString([], { hour12: false })}` : 'since start';
    $('#stat-bytes').textContent = bytesHuman(wire);
    $('#stat-bytes-exact').textContent = `${intFmt.format(wire)} bytes`;
    const mean = num(s.mean_ratio);
    $('#stat-ratio').textContent = mean === null ? '–' : `${mean.toFixed(1)}:1`;
    $('#stat-png').textContent = png > 0 ? `${bytesHuman(png)} as PNG` : 'PNG total –';
    const series = Array.isArray(s.series?.bytes) ? s.series.bytes.map((v) => num(v) ?? 0) : [];
    const lastMinute = series.slice(-60).reduce((a, b) => a + b, 0) / 60;
    $('#stat-rate').textContent = `${bytesHuman(lastMinute)}/s`;
    const peak = series.reduce((a, b) => Math.max(a, b), 0);
    $('#stat-peak').textContent = peak > 0 ? `peak ${bytesHuman(peak)}/s` : 'peak –';
    drawChart();
  }

  function niceCeil(v) {
    if (v <= 0) return 1;
    const p = 10 ** Math.floor(Math.log10(v));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  // Bytes per second averaged over BIN seconds, oldest first (the server sends one value per second).
  const BIN = 5;
  function binned(series) {
    const out = [];
    const skip = series.length % BIN;
    for (let i = skip; i < series.length; i += BIN) {
      let sum = 0;
      for (let j = i; j < i + BIN; j++) sum += series[j];
      out.push(sum / BIN);
    }
    return out;
  }

  function drawChart() {
    const css = getComputedStyle(document.documentElement);
    const color = (name) => css.getPropertyValue(name).trim();
    const dpr = window.devicePixelRatio || 1;
    const w = chart.clientWidth, h = chart.clientHeight;
    if (w === 0 || h === 0) return;
    chart.width = Math.round(w * dpr);
    chart.height = Math.round(h * dpr);
    const g = chart.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);

    const perSecond = state.stats && Array.isArray(state.stats.series?.bytes) ? state.stats.series.bytes.map((v) => num(v) ?? 0) : [];
    const bins = binned(perSecond);
    const max = niceCeil(Math.max(...bins, 1));
    g.font = '11px system-ui, sans-serif';
    const labels = [0, 1, 2].map((i) => (i === 0 ? '0' : `${bytesHuman((max * i) / 2)}/s`));
    const left = Math.ceil(Math.max(...labels.map((l) => g.measureText(l).width))) + 10;
    const right = 4, top = 6, bottom = 18;
    const pw = w - left - right, ph = h - top - bottom;

    g.fillStyle = color('--muted');
    g.strokeStyle = color('--border');
    g.lineWidth = 1;
    g.textBaseline = 'middle';
    g.textAlign = 'right';
    for (let i = 0; i <= 2; i++) {
      const y = Math.round(top + ph - (ph * i) / 2) + 0.5;
      g.beginPath(); g.moveTo(left, y); g.lineTo(left + pw, y); g.stroke();
      g.fillText(labels[i], left - 8, y);
    }
    const minutes = Math.round(perSecond.length / 60);
    g.textBaseline = 'alphabetic';
    for (let m = minutes; m >= 0; m--) {
      const x = left + pw - (pw * m * 60) / Math.max(perSecond.length, 1);
      g.textAlign = m === minutes ? 'left' : m === 0 ? 'right' : 'center';
      g.fillText(m === 0 ? 'now' : `−${m} min`, x, h - 4);
    }
    if (bins.length === 0) return;

    const slot = pw / bins.length;
    const bar = Math.max(1, slot - Math.min(2, slot * 0.25));
    const grad = g.createLinearGradient(0, top, 0, top + ph);
    grad.addColorStop(0, color('--accent'));
    grad.addColorStop(1, color('--accent-2'));
    g.fillStyle = grad;
    bins.forEach((v, i) => {
      if (v <= 0) return;
      const bh = Math.max(2, (ph * v) / max);
      const x = left + i * slot + (slot - bar) / 2;
      g.beginPath();
      if (g.roundRect) g.roundRect(x, top + ph - bh, bar, bh, [2, 2, 0, 0]); else g.rect(x, top + ph - bh, bar, bh);
      g.fill();
    });
  }

  // ---------- the event stream ----------
  function connect() {
    clearTimeout(state.retry);
    setStatus('connecting', 'connecting…');
    const es = new EventSource('/events');
    state.source = es;
    es.addEventListener('hello', (e) => {
      const d = JSON.parse(e.data);
      if (state.instance !== null && state.instance !== d.instance) clearGallery(); // the receiver restarted
      state.instance = d.instance;
      setStatus('live', 'live');
    });
    es.addEventListener('image', (e) => addImage(JSON.parse(e.data)));
    es.addEventListener('stats', (e) => updateStats(JSON.parse(e.data)));
    es.addEventListener('error', () => {
      if (es.readyState === EventSource.CLOSED) {
        setStatus('offline', 'offline · retrying');
        es.close();
        state.retry = setTimeout(connect, OFFLINE_RETRY_MS);
      } else {
        setStatus('reconnecting', 'reconnecting…');
      }
    });
  }

  if ('ResizeObserver' in window) new ResizeObserver(() => drawChart()).observe(chart);
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => drawChart());
  drawChart();
  connect();
})();
