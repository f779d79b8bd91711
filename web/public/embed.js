/*
 * wellness-whatsapp embed: puts an advisor's "Escríbeme por WhatsApp" button on any website.
 *
 *   <script src="https://<host>/embed.js" data-advisor="ana-lopez" async></script>
 *
 * Optional attributes: data-label (button text), data-lang ("es" | "en" | "pt"; without it, the
 * advisor's language from the JSON below, else "es"). The button is inserted right after the
 * script tag. It reads the advisor's link from
 * GET /api/public/advisors/:slug/whatsapp on the host that served this file and points at its
 * counting redirect (clickUrl), so clicks count in the advisor's analytics; if that cannot be
 * read (the advisor turned the button off, or the site blocks the request) nothing is shown, or,
 * when the request itself is blocked, the button links to the advisor's public page instead.
 */
/* global document, window */
(function () {
  'use strict';
  // The dashboard's public.cta in each of its languages (web/src/i18n).
  var LABELS = { es: 'Escríbeme por WhatsApp', en: 'Message me on WhatsApp', pt: 'Fale comigo no WhatsApp' };
  var known = function (lang) {
    return typeof lang === 'string' && Object.prototype.hasOwnProperty.call(LABELS, lang) ? lang : null;
  };
  var ICON =
    '<svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false" style="flex:none"><path fill="currentColor" d="M12 3a9 9 0 0 0-7.8 13.5L3 21l4.6-1.2A9 9 0 1 0 12 3Zm4.3 12.3c-.2.5-1 1-1.5 1-.4.1-.9.1-1.5-.1-2.6-1-4.3-3.6-4.4-3.8-.1-.2-1-1.4-1-2.6 0-1.3.7-1.9.9-2.1.2-.3.5-.3.7-.3h.5c.2 0 .4 0 .6.5l.8 1.9c.1.2.1.3 0 .5l-.4.6c-.1.2-.3.3-.1.6.2.3.8 1.3 1.7 2.1 1.2 1 2.1 1.3 2.4 1.4.3.1.5.1.6-.1l.8-1c.2-.3.4-.2.6-.1l1.8.9c.3.1.4.2.5.3.1.2.1.7-.1 1.2Z"/></svg>';

  function button(href, label, whatsappUrl) {
    var a = document.createElement('a');
    a.href = href;
    if (whatsappUrl) a.setAttribute('data-whatsapp-url', whatsappUrl);
    a.target = '_blank';
    a.rel = 'nofollow noopener noreferrer';
    a.className = 'ww-whatsapp-button';
    a.setAttribute(
      'style',
      'display:inline-flex;align-items:center;gap:10px;padding:12px 22px;border-radius:999px;' +
        'background:#167a5b;color:#fff;font:600 16px/1.2 system-ui,-apple-system,"Segoe UI",sans-serif;' +
        'text-decoration:none;box-shadow:0 2px 8px rgba(0,0,0,.15)',
    );
    a.innerHTML = ICON;
    a.appendChild(document.createTextNode(label));
    return a;
  }

  function mount(script) {
    if (script.getAttribute('data-ww-mounted')) return;
    script.setAttribute('data-ww-mounted', '1');
    var slug = script.getAttribute('data-advisor');
    if (!slug) return;
    var origin = new URL(script.src, window.location.href).origin;
    var tagLang = known(script.getAttribute('data-lang'));
    var ownLabel = script.getAttribute('data-label');
    // The tag's language, else the advisor's (known once the JSON is read), else Spanish.
    var labelFor = function (advisorLang) {
      return ownLabel || LABELS[tagLang || known(advisorLang) || 'es'];
    };
    var place = function (el) {
      if (script.parentNode) script.parentNode.insertBefore(el, script.nextSibling);
    };
    fetch(origin + '/api/public/advisors/' + encodeURIComponent(slug) + '/whatsapp', { credentials: 'omit' })
      .then(function (res) {
        if (!res.ok) return null;
        return res.json();
      })
      .then(function (cta) {
        if (!cta || typeof cta.url !== 'string') return;
        // Through the counting redirect (it answers with the wa.me link), so the click shows up
        // in the advisor's analytics; the wa.me link stays readable in data-whatsapp-url.
        var href = typeof cta.clickUrl === 'string' ? cta.clickUrl : cta.url;
        place(button(href, labelFor(cta.language), cta.url));
      })
      .catch(function () {
        place(button(origin + '/p/' + encodeURIComponent(slug), labelFor(null)));
      });
  }

  var scripts = document.querySelectorAll('script[data-advisor]');
  for (var i = 0; i < scripts.length; i++) {
    if (/\/embed\.js(\?|$)/.test(scripts[i].src)) mount(scripts[i]);
  }
})();
