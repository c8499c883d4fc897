/*
 * i18n.js -- the language of the console and of the member's pages: zh-CN by
 * default, English by the switch (remembered in this browser). Each app adds its
 * catalogs (console: msg-zh.js, msg-en.js; member pages: /m/msg-*.js) before it
 * renders; t('key', {n: 3}) looks the key up and fills {n}; a missing key shows
 * itself.
 */
const zh = {};
const en = {};
const catalogs = {'zh-CN': zh, en};

export function addCatalogs(zhMsgs, enMsgs) {
  Object.assign(zh, zhMsgs);
  Object.assign(en, enMsgs);
}
let lang = 'zh-CN';
try {
  const kept = localStorage.getItem('o2o.lang');
  if (kept && catalogs[kept]) lang = kept;
} catch (e) { /* storage off: the default */ }
document.documentElement.lang = lang;

export function t(key, params) {
  let s = catalogs[lang][key];
  if (s === undefined) s = zh[key] !== undefined ? zh[key] : key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
  return s;
}

export function language() { return lang; }

export function setLanguage(l) {
  if (!catalogs[l]) return;
  lang = l;
  document.documentElement.lang = l;
  try { localStorage.setItem('o2o.lang', l); } catch (e) { /* this page only */ }
}
