/*
 * receipt.js -- the e-receipt page's "Claim my points" (GET /r/{token} loads it from
 * /receipt.js; the page allows no inline script). A customer who scanned the
 * receipt with her phone's camera signs in right there: her phone number, the
 * one-time code sent to it (POST /v1/auth/otp, /v1/auth/otp/verify; a new number
 * becomes a member), then the claim (POST /v1/receipts/claim). The member token is
 * kept in this tab's sessionStorage only, so the next receipt she opens in the tab
 * is claimed at one tap; the member's pages (/m/) share it. Every message is put on the page as text.
 */
(function () {
  'use strict';
  var TOKEN = 'o2o.member_token';
  var $ = function (id) { return document.getElementById(id); };
  var receipt = location.pathname.split('/')[2] || '';
  var e164 = '';

  function say(text) { $('state').textContent = text; }
  /* the member's pages (/m/) keep {token, me} under the same key: one sign-in serves both */
  function token() {
    try {
      var v = sessionStorage.getItem(TOKEN);
      return v && v.charAt(0) === '{' ? JSON.parse(v).token : v;
    } catch (e) { return null; }
  }
  function keep(t) { try { sessionStorage.setItem(TOKEN, t); } catch (e) { /* private mode: this page only */ } }
  function forget() { try { sessionStorage.removeItem(TOKEN); } catch (e) { /* nothing kept */ } }

  function call(path, body, bearer, key) {
    var h = {'Content-Type': 'application/json'};
    if (bearer) h.Authorization = 'Bearer ' + bearer;
    if (key) h['Idempotency-Key'] = key;
    return fetch(path, {method: 'POST', headers: h, body: JSON.stringify(body)}).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return {status: r.status, body: j}; });
    }, function () { return {status: 0, body: {}}; });
  }

  function problem(x) {
    if (x.status === 0) return 'No connection. Try again.';
    return (x.body && x.body.error && x.body.error.message) || 'Something went wrong (' + x.status + ').';
  }

  function showSignIn() {
    $('signin').hidden = false;
    $('claim').hidden = true;
    $('phone').focus();
  }

  function claimWith(t, fallback) {
    say('Claiming…');
    return call('/v1/receipts/claim', {token: receipt}, t, 'claim-' + receipt).then(function (x) {
      if (x.status === 200) {
        say('Claimed: ' + x.body.points_credited + ' points credited.');
        $('claim').remove();
        $('signin').remove();
      } else if (x.status === 401 && fallback) {
        forget();                      /* expired: sign in again */
        say('Sign in with your phone number to collect the points.');
        showSignIn();
      } else {
        say(problem(x));
      }
    });
  }

  function sendCode() {
    var phone = $('phone').value.trim();
    if (!phone) { say('Enter your phone number.'); return; }
    $('send').disabled = true;
    call('/v1/auth/otp', {phone: phone}).then(function (x) {
      $('send').disabled = false;
      if (x.status === 202) {
        e164 = x.body.phone || phone;
        $('codebox').hidden = false;
        $('verify').hidden = false;
        $('code').focus();
        say('A code was sent to ' + e164 + '.');
      } else {
        say(problem(x));
      }
    });
  }

  function verify(ev) {
    ev.preventDefault();
    var code = $('code').value.trim();
    if (!e164 || !code) { say('Enter the code you received.'); return; }
    $('verify').disabled = true;
    call('/v1/auth/otp/verify', {phone: e164, code: code}).then(function (x) {
      $('verify').disabled = false;
      if (x.status === 200 && x.body.token) {
        keep(x.body.token);
        claimWith(x.body.token, false);
      } else {
        say(problem(x));
      }
    });
  }

  var btn = $('claim');
  if (!btn) return;                    /* claimed already */
  btn.addEventListener('click', function () {
    var t = token();
    if (t) claimWith(t, true);
    else { say('Sign in with your phone number to collect the points.'); showSignIn(); }
  });
  $('send').addEventListener('click', sendCode);
  $('signin').addEventListener('submit', verify);
})();
