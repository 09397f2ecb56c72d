// SPDX-License-Identifier: GPL-3.0-or-later
//
// The upload page's behaviour. Everything it shows comes from the JSON block "pg-config" and is
// put into the page as text (textContent), never as markup. Each file goes with its own
// single-use link: a PUT to the page's own origin, with "If-None-Match: *" so that a link that
// was used once cannot overwrite what arrived.
'use strict';

(function () {
  const config = JSON.parse(document.getElementById('pg-config').textContent);
  const strings = config.strings;
  const byId = (id) => document.getElementById(id);

  // One slot per presigned PUT: free, busy (a request under way) or used.
  const slots = config.files.map((file) => ({ url: file.url, state: 'free' }));
  const items = [];
  let language = chooseLanguage();
  let closed = false;
  let bannerText = null;

  function chooseLanguage () {
    const wanted = navigator.languages && navigator.languages.length
      ? navigator.languages
      : [navigator.language || 'en'];

    for (const tag of wanted) {
      const code = String(tag).toLowerCase().split('-')[0];
      if (Object.prototype.hasOwnProperty.call(strings, code))
        return code;
    }
    return 'en';
  }

  // A message in the current language; {name} placeholders are filled in one pass, so a value
  // that itself contains braces stays as it is.
  function tr (id, values) {
    const table = strings[language] || strings.en;
    const text = table[id] || strings.en[id] || id;

    if (!values)
      return text;
    return text.replace(/\{([a-z]+)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole);
  }

  function formatSize (bytes) {
    const units = ['B', 'kB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;

    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return (unit === 0 ? String(value) : value.toFixed(value < 10 ? 1 : 0)) + ' ' + units[unit];
  }

  function formatTime (seconds) {
    const date = new Date(seconds * 1000);
    try {
      return date.toLocaleString(language === 'ja' ? 'ja-JP' : 'en-GB',
                                 { dateStyle: 'long', timeStyle: 'short' });
    } catch (e) {
      return date.toString();
    }
  }

  // RFC 6266 / RFC 5987: the original file name travels with the upload, so whoever downloads
  // the file later gets it under that name.
  function contentDisposition (name) {
    const encoded = encodeURIComponent(name).replace(/['()*]/g,
      (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
    return "attachment; filename*=UTF-8''" + encoded;
  }

  function freeSlots () {
    return slots.filter((slot) => slot.state === 'free').length;
  }

  function setText (id, text) {
    byId(id).textContent = text;
  }

  // ---- Files -------------------------------------------------------------------------------

  // An item's state: ready, sending, sent, failed (may be retried), refused (may not).
  function setStatus (item, state, message, values) {
    item.state = state;
    item.message = message;
    item.values = values || null;
    renderItem(item);
    renderActions();
  }

  function renderItem (item) {
    const canRemove = item.state === 'ready' || item.state === 'refused';
    const canRetry = item.state === 'failed' && !closed;

    item.status.textContent = item.message ? tr(item.message, item.values) : '';
    item.status.className = 'file-status' +
      (item.state === 'sent' ? ' ok' : (item.state === 'failed' || item.state === 'refused' ? ' bad' : ''));
    item.progress.hidden = item.state !== 'sending' && item.state !== 'sent';
    item.progress.setAttribute('aria-label', tr('progress', { name: item.file.name }));
    item.cancel.hidden = item.state !== 'sending';
    item.cancel.textContent = tr('cancel');
    item.retry.hidden = !canRetry;
    item.retry.textContent = tr('retry');
    item.remove.hidden = !canRemove;
    item.remove.textContent = tr('remove');
  }

  function addFiles (fileList) {
    if (closed)
      return;

    let room = freeSlots() - items.filter((item) => item.state === 'ready' ||
                                                     item.state === 'sending' ||
                                                     item.state === 'failed').length;
    let refused = 0;

    for (const file of fileList) {
      if (room <= 0) {
        refused++;
        continue;
      }
      const item = makeItem(file);
      if (file.size > config.maxBytes) {
        setStatus(item, 'refused', 'too-large', { name: file.name });
      } else {
        setStatus(item, 'ready', 'ready');
        room--;
      }
    }

    if (refused > 0)
      showBanner(slots.length === 1 ? 'only-one' : 'only-some', { count: slots.length });
    renderActions();
  }

  function makeItem (file) {
    const row = document.createElement('li');
    const head = document.createElement('div');
    const name = document.createElement('bdi');
    const size = document.createElement('span');
    const line = document.createElement('div');
    const progress = document.createElement('progress');
    const cancel = document.createElement('button');
    const retry = document.createElement('button');
    const remove = document.createElement('button');
    const status = document.createElement('p');
    const item = { file, row, progress, status, cancel, retry, remove, xhr: null, slot: null,
                   state: 'ready', message: null, values: null };

    head.className = 'file-head';
    name.className = 'file-name';
    name.textContent = file.name;
    size.className = 'file-size';
    size.textContent = formatSize(file.size);
    head.append(name, size);
    line.className = 'file-row';
    progress.max = 100;
    progress.value = 0;
    for (const button of [cancel, retry, remove])
      button.type = 'button';
    line.append(progress, cancel, retry, remove);
    status.className = 'file-status';
    status.setAttribute('role', 'status');
    row.append(head, line, status);
    byId('files').append(row);

    cancel.addEventListener('click', () => {
      if (item.xhr)
        item.xhr.abort();
    });
    retry.addEventListener('click', () => send(item));
    remove.addEventListener('click', () => {
      items.splice(items.indexOf(item), 1);
      row.remove();
      renderActions();
      byId('choose').focus();
    });

    items.push(item);
    return item;
  }

  // ---- Sending -----------------------------------------------------------------------------

  function send (item) {
    if (closed)
      return;

    const slot = slots.find((candidate) => candidate.state === 'free');
    if (!slot) {
      setStatus(item, 'refused', 'used-up');
      return;
    }

    const xhr = new XMLHttpRequest();
    slot.state = 'busy';
    item.slot = slot;
    item.xhr = xhr;
    item.progress.value = 0;
    setStatus(item, 'sending', 'sending', { percent: 0 });

    xhr.upload.addEventListener('progress', (event) => {
      if (!event.lengthComputable || item.state !== 'sending')
        return;
      const percent = Math.floor(event.loaded * 100 / Math.max(event.total, 1));
      item.progress.value = percent;
      // Announced to screen readers every tenth, not at every event.
      if (Math.floor(percent / 10) !== Math.floor((item.values ? item.values.percent : 0) / 10))
        setStatus(item, 'sending', 'sending', { percent });
    });
    xhr.addEventListener('load', () => finished(item, xhr.status));
    xhr.addEventListener('error', () => failed(item, 'network'));
    xhr.addEventListener('timeout', () => failed(item, 'network'));
    xhr.addEventListener('abort', () => failed(item, 'cancelled'));

    xhr.open('PUT', slot.url);
    xhr.setRequestHeader('If-None-Match', '*');
    // Signed with the link: the file is stored as data, never shown by the bucket as a page.
    xhr.setRequestHeader('Content-Type', config.contentType);
    xhr.setRequestHeader('Content-Disposition', contentDisposition(item.file.name));
    xhr.send(item.file);
  }

  function failed (item, message) {
    item.slot.state = 'free';
    item.xhr = null;
    setStatus(item, 'failed', message);
  }

  function finished (item, status) {
    item.xhr = null;

    if (status >= 200 && status < 300) {
      item.slot.state = 'used';
      item.progress.value = 100;
      setStatus(item, 'sent', 'sent');
      return;
    }

    if (status === 412) {
      // Somebody used this link before (another visit of the page): it keeps what arrived
      // then. The next unused link, if any, carries the file instead.
      item.slot.state = 'used';
      if (freeSlots() > 0) {
        send(item);
        return;
      }
      setStatus(item, 'refused', 'already-used');
      return;
    }

    item.slot.state = 'free';
    if (status === 403) {
      setStatus(item, 'refused', 'closed');
      close();
      return;
    }
    setStatus(item, 'failed', 'server', { status });
  }

  // ---- The page as a whole -----------------------------------------------------------------

  function showBanner (message, values) {
    bannerText = { message, values };
    renderBanner();
  }

  function renderBanner () {
    const banner = byId('banner');
    banner.hidden = bannerText === null;
    banner.textContent = bannerText ? tr(bannerText.message, bannerText.values) : '';
  }

  // The link was taken back or has expired: nothing more can be sent.
  function close () {
    if (closed)
      return;
    closed = true;
    showBanner('closed');
    for (const item of items) {
      if (item.xhr)
        item.xhr.abort();
      if (item.state === 'ready' || item.state === 'failed')
        setStatus(item, 'refused', 'closed');
    }
    renderActions();
  }

  function renderActions () {
    const ready = items.filter((item) => item.state === 'ready').length;
    const sending = items.some((item) => item.state === 'sending');
    const usedUp = freeSlots() === 0 && !sending;
    const sent = items.filter((item) => item.state === 'sent').length;

    byId('send').disabled = closed || ready === 0;
    byId('choose').disabled = closed || usedUp;
    byId('drop').classList.toggle('closed', closed || usedUp);

    if (sent > 0 && !sending && ready === 0 && (usedUp || items.every((item) => item.state === 'sent')))
      setText('summary', tr(usedUp ? 'all-sent' : 'sent-summary', { count: sent }));
    else
      setText('summary', '');
  }

  // Whether the link still works: the page asks for its own first byte. A revoked or expired
  // link is refused (403); anything else (no network, say) says nothing.
  function checkOpen () {
    if (closed || document.visibilityState !== 'visible')
      return;
    fetch(window.location.href, { headers: { Range: 'bytes=0-0' }, cache: 'no-store' })
      .then((response) => {
        if (response.status === 403)
          close();
      })
      .catch(() => {});
  }

  function render () {
    const count = slots.length;

    document.documentElement.lang = language;
    document.title = tr('title');
    setText('title', tr('title'));
    setText('intro', tr('intro'));
    setText('limit', count === 1 ? tr('limit-one') : tr('limit-many', { count }));
    setText('destination', tr('destination', { folder: config.folder || '/' }));
    if (config.label) {
      setText('for', tr('for', { label: config.label }));
      byId('for').hidden = false;
    }
    setText('expiry', tr('expiry', { time: formatTime(config.expires) }));
    setText('note-label', tr('note-label'));
    setText('drop-hint', tr(count === 1 ? 'drop-one' : 'drop-many'));
    setText('choose', tr(count === 1 ? 'choose-one' : 'choose-many'));
    setText('files-label', tr('files-label'));
    setText('send', tr('send'));
    for (const button of document.querySelectorAll('#languages button'))
      button.setAttribute('aria-pressed', String(button.dataset.lang === language));
    for (const item of items)
      renderItem(item);
    renderBanner();
    renderActions();
  }

  // ---- Wiring ------------------------------------------------------------------------------

  const picker = byId('picker');
  const drop = byId('drop');

  picker.multiple = slots.length > 1;
  if (config.note) {
    byId('note').textContent = config.note;
    byId('note-box').hidden = false;
  }

  byId('languages').setAttribute('aria-label', 'Language / 言語');
  byId('languages').hidden = Object.keys(strings).length < 2;
  for (const button of document.querySelectorAll('#languages button')) {
    button.hidden = !Object.prototype.hasOwnProperty.call(strings, button.dataset.lang);
    button.addEventListener('click', () => {
      language = button.dataset.lang;
      render();
    });
  }
  byId('choose').addEventListener('click', () => picker.click());
  picker.addEventListener('change', () => {
    addFiles(Array.from(picker.files));
    picker.value = '';
  });
  byId('send').addEventListener('click', () => {
    for (const item of items.filter((candidate) => candidate.state === 'ready'))
      send(item);
  });

  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    if (event.dataTransfer && event.dataTransfer.files)
      addFiles(Array.from(event.dataTransfer.files));
  });
  // A file dropped beside the drop zone must not make the browser leave the page.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());
  window.addEventListener('beforeunload', (event) => {
    if (items.some((item) => item.state === 'sending')) {
      event.preventDefault();
      event.returnValue = '';
    }
  });

  document.addEventListener('visibilitychange', checkOpen);
  window.setInterval(checkOpen, 60 * 1000);
  // The server's clock decides when the link ends, not this computer's: look once it should have.
  window.setTimeout(checkOpen, Math.max(0, config.expires * 1000 - Date.now()) + 5000);

  render();
})();
