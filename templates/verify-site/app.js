/*
 * yiye 行业综合许可证核验页 (the page `yiye license verify-site` publishes).
 * Reads the signed payload from the address after "#", checks its Ed25519 signature with the issuing
 * office's public key (keys/<key id>.pem), checks the signed revocation list (revocations.json) and
 * shows the licence's state and fields. Everything it loads comes from this site; nothing is sent
 * anywhere (the part after "#" never reaches the server). Data is inserted as text, never as HTML.
 */
'use strict';
(function () {
  var started = performance.now();
  var TAG = 'YY1.';
  var STALE_DAYS = 7;

  /* ---- @noble/ed25519, inlined by `yiye license verify-site` (used where WebCrypto lacks Ed25519) ---- */
  var noble = (function () {
/*@@NOBLE_ED25519@@*/
  })();

  /* ---- SHA-512 (FIPS 180-4), for noble's synchronous verify where crypto.subtle is absent (plain http) ---- */
  var K512 = (function () {
    var h = '428a2f98d728ae22 7137449123ef65cd b5c0fbcfec4d3b2f e9b5dba58189dbbc 3956c25bf348b538 59f111f1b605d019 923f82a4af194f9b ab1c5ed5da6d8118 d807aa98a3030242 12835b0145706fbe 243185be4ee4b28c 550c7dc3d5ffb4e2 72be5d74f27b896f 80deb1fe3b1696b1 9bdc06a725c71235 c19bf174cf692694 e49b69c19ef14ad2 efbe4786384f25e3 0fc19dc68b8cd5b5 240ca1cc77ac9c65 2de92c6f592b0275 4a7484aa6ea6e483 5cb0a9dcbd41fbd4 76f988da831153b5 983e5152ee66dfab a831c66d2db43210 b00327c898fb213f bf597fc7beef0ee4 c6e00bf33da88fc2 d5a79147930aa725 06ca6351e003826f 142929670a0e6e70 27b70a8546d22ffc 2e1b21385c26c926 4d2c6dfc5ac42aed 53380d139d95b3df 650a73548baf63de 766a0abb3c77b2a8 81c2c92e47edaee6 92722c851482353b a2bfe8a14cf10364 a81a664bbc423001 c24b8b70d0f89791 c76c51a30654be30 d192e819d6ef5218 d69906245565a910 f40e35855771202a 106aa07032bbd1b8 19a4c116b8d2d0c8 1e376c085141ab53 2748774cdf8eeb99 34b0bcb5e19b48a8 391c0cb3c5c95a63 4ed8aa4ae3418acb 5b9cca4f7763e373 682e6ff3d6b2b8a3 748f82ee5defb2fc 78a5636f43172f60 84c87814a1f0ab72 8cc702081a6439ec 90befffa23631e28 a4506cebde82bde9 bef9a3f7b2c67915 c67178f2e372532b ca273eceea26619c d186b8c721c0c207 eada7dd6cde0eb1e f57d4f7fee6ed178 06f067aa72176fba 0a637dc5a2c898a6 113f9804bef90dae 1b710b35131c471b 28db77f523047d84 32caab7b40c72493 3c9ebe0a15c9bebc 431d67c49c100d4c 4cc5d4becb3e42b6 597f299cfc657e2a 5fcb6fab3ad6faec 6c44198c4a475817';
    return h.split(' ').map(function (x) { return BigInt('0x' + x); });
  })();
  var M64 = (BigInt(1) << BigInt(64)) - BigInt(1);
  function rotr(x, n) { n = BigInt(n); return ((x >> n) | (x << (BigInt(64) - n))) & M64; }
  function sha512(msg) {
    var len = msg.length, padded = new Uint8Array(((len + 17 + 127) >> 7) << 7);
    padded.set(msg); padded[len] = 0x80;
    var bits = BigInt(len) * BigInt(8);
    for (var i = 0; i < 16; i++) padded[padded.length - 1 - i] = Number((bits >> BigInt(8 * i)) & BigInt(255));
    var H = ['6a09e667f3bcc908', 'bb67ae8584caa73b', '3c6ef372fe94f82b', 'a54ff53a5f1d36f1', '510e527fade682d1', '9b05688c2b3e6c1f', '1f83d9abfb41bd6b', '5be0cd19137e2179'].map(function (x) { return BigInt('0x' + x); });
    var W = new Array(80);
    for (var off = 0; off < padded.length; off += 128) {
      for (var t = 0; t < 16; t++) {
        var w = BigInt(0);
        for (var b = 0; b < 8; b++) w = (w << BigInt(8)) | BigInt(padded[off + t * 8 + b]);
        W[t] = w;
      }
      for (t = 16; t < 80; t++) {
        var s0 = rotr(W[t - 15], 1) ^ rotr(W[t - 15], 8) ^ (W[t - 15] >> BigInt(7));
        var s1 = rotr(W[t - 2], 19) ^ rotr(W[t - 2], 61) ^ (W[t - 2] >> BigInt(6));
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) & M64;
      }
      var a = H[0], bb = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (t = 0; t < 80; t++) {
        var S1 = rotr(e, 14) ^ rotr(e, 18) ^ rotr(e, 41);
        var ch = (e & f) ^ (~e & M64 & g);
        var T1 = (h + S1 + ch + K512[t] + W[t]) & M64;
        var S0 = rotr(a, 28) ^ rotr(a, 34) ^ rotr(a, 39);
        var maj = (a & bb) ^ (a & c) ^ (bb & c);
        var T2 = (S0 + maj) & M64;
        h = g; g = f; f = e; e = (d + T1) & M64; d = c; c = bb; bb = a; a = (T1 + T2) & M64;
      }
      H = [a, bb, c, d, e, f, g, h].map(function (v, i) { return (H[i] + v) & M64; });
    }
    var out = new Uint8Array(64);
    for (i = 0; i < 8; i++) for (b = 0; b < 8; b++) out[i * 8 + b] = Number((H[i] >> BigInt(56 - 8 * b)) & BigInt(255));
    return out;
  }

  /* ---- encodings ---- */
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  function b64decode(s, url) {
    var alphabet = B64 + (url ? '-_' : '+/');
    s = s.replace(/=+$/, '');
    if (s.length % 4 === 1) return null;
    var out = new Uint8Array(Math.floor((s.length * 3) / 4)), buf = 0, bits = 0, o = 0;
    for (var i = 0; i < s.length; i++) {
      var v = alphabet.indexOf(s[i]);
      if (v < 0) return null;
      buf = (buf << 6) | v; bits += 6;
      if (bits >= 8) { bits -= 8; out[o++] = (buf >> bits) & 255; }
    }
    // canonical: the unused low bits of the last character must be zero (else two texts decode alike)
    if (bits > 0 && (buf & ((1 << bits) - 1)) !== 0) return null;
    return out;
  }
  function utf8(bytes) { return new TextDecoder('utf-8', { fatal: true }).decode(bytes); }
  function bytesOf(text) { return new TextEncoder().encode(text); }

  /** The payload's parts, checked as `yiye license verify` checks them (src/license/payload.ts). */
  function decodePayload(text) {
    var at = text.lastIndexOf(TAG);
    if (at !== 0) return { ok: false, reason: at < 0 ? '网址中没有许可证二维码内容。' : '二维码内容格式不正确。' };
    var parts = text.slice(TAG.length).split('.');
    if (parts.length !== 2) return { ok: false, reason: '二维码内容格式不正确。' };
    if (!/^[A-Za-z0-9_-]+$/.test(parts[0]) || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return { ok: false, reason: '二维码内容含有非法字符。' };
    var body = b64decode(parts[0], true), sig = b64decode(parts[1], true);
    if (!body || !sig || sig.length !== 64) return { ok: false, reason: '二维码内容编码不规范，已被改动。' };
    var p;
    try { p = JSON.parse(utf8(body)); } catch (e) { return { ok: false, reason: '二维码内容无法解析，已被改动。' }; }
    if (!p || typeof p !== 'object' || typeof p.n !== 'string' || typeof p.v !== 'number' || !Array.isArray(p.m) || typeof p.k !== 'string') return { ok: false, reason: '二维码内容缺少必要字段。' };
    return { ok: true, payload: p, message: bytesOf(TAG + parts[0]), signature: sig };
  }

  /* ---- Ed25519 ---- */
  var ENGINE = (/[?&]engine=(webcrypto|noble-sync|noble)\b/.exec(location.search) || [])[1] || 'auto';
  var engineUsed = '';
  noble.hashes.sha512 = sha512;
  async function verifyEd25519(rawKey, message, signature) {
    var subtle = window.crypto && window.crypto.subtle;
    if (subtle && (ENGINE === 'auto' || ENGINE === 'webcrypto')) {
      try {
        var key = await subtle.importKey('raw', rawKey, { name: 'Ed25519' }, false, ['verify']);
        var good = await subtle.verify({ name: 'Ed25519' }, key, signature, message);
        engineUsed = 'WebCrypto';
        return good;
      } catch (e) {
        if (ENGINE === 'webcrypto') throw e; // this browser's WebCrypto has no Ed25519
      }
    }
    if (subtle && ENGINE !== 'noble-sync') {
      engineUsed = '@noble/ed25519';
      try { return await noble.verifyAsync(signature, message, rawKey); } catch (e) { return false; }
    }
    engineUsed = '@noble/ed25519（内置 SHA-512）';
    try { return noble.verify(signature, message, rawKey); } catch (e) { return false; }
  }

  /* ---- the site's files ---- */
  async function fetchText(url) {
    var r = await fetch(url, { cache: 'no-cache', credentials: 'omit', redirect: 'error' });
    if (!r.ok) { var err = new Error(url + ': HTTP ' + r.status); err.status = r.status; throw err; }
    return r.text();
  }
  var keyCache = {};
  /** The raw 32-byte Ed25519 key of a key id, from keys/<id>.pem (SubjectPublicKeyInfo), or null. */
  async function publicKey(keyId) {
    if (!/^[0-9a-f]{16}$/.test(keyId)) return null;
    if (!(keyId in keyCache)) {
      keyCache[keyId] = (async function () {
        var pem;
        try { pem = await fetchText('keys/' + keyId + '.pem'); } catch (e) { if (e.status === 404) return null; throw e; }
        var der = b64decode(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), false);
        var prefix = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
        if (!der || der.length !== 44 || prefix.some(function (x, i) { return der[i] !== x; })) return null;
        return der.slice(12);
      })();
    }
    return keyCache[keyId];
  }
  /** The revocation list, its signature checked with the key it names; throws with a reason. */
  async function revocationList() {
    var text;
    try { text = await fetchText('revocations.json'); } catch (e) { throw new Error('无法读取撤销清单（revocations.json）。'); }
    var l;
    try { l = JSON.parse(text); } catch (e) { throw new Error('撤销清单格式不正确。'); }
    if (!l || l.type !== 'yiye-revocations' || !Array.isArray(l.entries) || typeof l.signature !== 'string') throw new Error('撤销清单格式不正确。');
    var key = await publicKey(l.keyId);
    var sig = b64decode(l.signature, true);
    // the signed bytes: the list's fields in the order `yiye license revocations` wrote them
    var body = JSON.stringify({ type: l.type, issuer: l.issuer, keyId: l.keyId, date: l.date, entries: l.entries });
    if (!key || !sig || sig.length !== 64 || !(await verifyEd25519(key, bytesOf(body), sig))) throw new Error('撤销清单签名无效，可能被改动。');
    return l;
  }
  /** File name of a licence's item record, as src/verify-site/site.ts writes it. */
  function recordName(number) {
    return number.replace(/[^A-Za-z0-9-]/g, function (ch) { return '_' + ch.codePointAt(0).toString(16); });
  }
  /** The signed item details (单项许可证号, 有效期) of the licence's current version, or null. */
  async function itemRecord(p) {
    try {
      var r = JSON.parse(await fetchText('l/' + recordName(p.n) + '.json'));
      var body = JSON.parse(r.body);
      var key = await publicKey(body.k);
      var sig = b64decode(r.sig, true);
      if (!key || !sig || sig.length !== 64 || !(await verifyEd25519(key, bytesOf(r.body), sig))) return null;
      return body.n === p.n && body.v === p.v ? body : null;
    } catch (e) {
      return null;
    }
  }

  /* ---- dates: the day in China (UTC+8, no daylight saving) ---- */
  function todayInChina() { return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10); }
  function cnDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
    return m ? Number(m[1]) + '年' + Number(m[2]) + '月' + Number(m[3]) + '日' : String(iso || '—');
  }
  function daysBetween(a, b) { return Math.round((Date.parse(b) - Date.parse(a)) / 86400000); }

  /* ---- rendering (text only) ---- */
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function show(r) {
    var box = document.getElementById('status');
    box.className = 'status ' + r.tone;
    box.textContent = '';
    box.appendChild(el('div', 'label', r.label));
    if (r.detail) box.appendChild(el('div', 'detail', r.detail));
    var fields = document.getElementById('fields');
    fields.textContent = '';
    fields.hidden = !r.payload;
    if (r.payload) {
      var p = r.payload;
      var dl = el('dl', 'grid');
      var row = function (k, v) { dl.appendChild(el('dt', '', k)); dl.appendChild(el('dd', '', v)); };
      row('经营者名称', p.h);
      row('统一社会信用代码', p.c);
      row('行业类别', p.i);
      row('许可证编号', p.n + '（第 ' + p.v + ' 版）');
      row('有效期至', cnDate(p.u));
      row('发证机关', p.a);
      row('制证日期', cnDate(p.d));
      fields.appendChild(dl);
      fields.appendChild(el('h2', '', '许可项目（' + p.m.length + ' 项）'));
      var ol = el('ol', 'items');
      var items = r.record ? r.record.items : p.m.map(function (m) { return { name: m, code: null, no: null, until: null }; });
      items.forEach(function (it) {
        var li = el('li');
        li.appendChild(el('div', 'item-name', it.name));
        var meta = el('div', 'item-meta');
        if (it.code && it.code !== it.name) meta.appendChild(el('span', '', '事项编码 ' + it.code));
        meta.appendChild(el('span', '', '单项许可证号 ' + (it.no || (r.record ? '—' : '（未公布）'))));
        var until = el('span', '', '有效期至 ' + (it.until ? cnDate(it.until) : r.record ? '同本证' : '（未公布）'));
        if (it.until && it.until < r.today) { until.className = 'late'; until.textContent += '（已过期）'; }
        meta.appendChild(until);
        li.appendChild(meta);
        ol.appendChild(li);
      });
      fields.appendChild(ol);
    }
    var foot = document.getElementById('checked');
    var bits = [];
    if (r.listDate) bits.push('撤销清单日期 ' + cnDate(r.listDate));
    if (r.payload) bits.push('签名密钥 ' + r.payload.k);
    if (engineUsed) bits.push('验签 ' + engineUsed);
    r.ms = Math.round(performance.now() - started);
    bits.push('核验用时 ' + r.ms + ' 毫秒');
    foot.textContent = bits.join(' · ');
    document.body.setAttribute('data-status', r.status);
    window.__yiye = { status: r.status, label: r.label, ms: r.ms, engine: engineUsed, number: r.payload ? r.payload.n : null };
  }

  var TONE = { valid: 'ok', revoked: 'bad', cancelled: 'bad', withdrawn: 'bad', superseded: 'warn', expired: 'warn', forged: 'bad', unchecked: 'bad', none: 'idle' };
  function result(status, label, detail, extra) {
    var r = { status: status, label: label, detail: detail, tone: TONE[status] };
    for (var k in extra || {}) r[k] = extra[k];
    return r;
  }

  async function check(text, today) {
    if (!text) return result('none', '请扫描许可证上的二维码', '用手机相机扫描行业综合许可证右下角的二维码，即可在此核验该证是否真实有效。');
    var d = decodePayload(text);
    var forged = function (why) { return result('forged', '无法核验', '内容被改动或不是本机关签发。' + (why ? '（' + why + '）' : '')); };
    if (!d.ok) return forged(d.reason);
    var p = d.payload;
    var key = await publicKey(p.k);
    if (!key) return forged('签名密钥 ' + p.k + ' 不在本网站公布的公钥中');
    if (!(await verifyEd25519(key, d.message, d.signature))) return forged('签名无效');
    var list;
    try { list = await revocationList(); } catch (e) {
      return result('unchecked', '无法核验', '证面内容签名有效，但' + e.message + '无法确认该证是否已被撤销，请联系发证机关。', { payload: p, today: today });
    }
    var record = await itemRecord(p);
    var base = { payload: p, record: record, today: today, listDate: list.date };
    var hit = null;
    for (var i = 0; i < list.entries.length; i++) {
      var e = list.entries[i];
      if (e.n === p.n && (e.v === p.v || e.s !== 'superseded')) { hit = e; break; }
    }
    var stale = daysBetween(list.date, today) > STALE_DAYS ? '撤销清单日期为 ' + cnDate(list.date) + '，已超过 ' + STALE_DAYS + ' 天未更新，结果可能不是最新。' : '';
    var why = function (e) { return [e.d ? cnDate(e.d) : '', e.r ? '原因：' + e.r : ''].filter(Boolean).join('，'); };
    if (hit && hit.s === 'revoked') return result('revoked', '已撤销', '（' + why(hit) + '）该证已被发证机关撤销，不再有效。', base);
    if (hit && hit.s === 'cancelled') return result('cancelled', '已注销', '（' + why(hit) + '）该证已注销，不再有效。', base);
    if (hit && hit.s === 'withdrawn') return result('withdrawn', '已吊销', '（' + why(hit) + '）该证已被吊销，不再有效。', base);
    if (hit && hit.s === 'superseded') return result('superseded', '已换发新版', '（第 ' + (p.v + 1) + ' 版起失效）本证为第 ' + p.v + ' 版，' + (hit.d ? '已于 ' + cnDate(hit.d) + ' ' : '已') + '换发新证，请以新版许可证为准。', base);
    if (p.u < today) return result('expired', '已过期', '该证有效期至 ' + cnDate(p.u) + '，已超过有效期。' + stale, base);
    return result('valid', '有效', '本证由' + p.a + '签发，内容未被改动，未被撤销、注销，在有效期内。' + stale, base);
  }

  async function run() {
    started = performance.now();
    engineUsed = '';
    var text = '';
    try { text = decodeURIComponent(location.hash.replace(/^#/, '')).trim(); } catch (e) { text = location.hash.replace(/^#/, ''); }
    var r;
    try {
      r = await check(text, todayInChina());
    } catch (e) {
      r = result('unchecked', '无法核验', '核验时出错：' + (e && e.message ? e.message : e) + '。请检查网络后刷新重试。');
    }
    show(r);
  }

  window.addEventListener('hashchange', run);
  run();
})();
