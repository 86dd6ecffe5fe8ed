"""Check a console served in its production configuration (DEBUG off, behind a TLS proxy):

    smoke_production.py BASE_URL ACCOUNT_JSON

BASE_URL is the server (gunicorn) itself; requests carry X-Forwarded-Proto: https as the proxy's
would. ACCOUNT_JSON is the line `manage.py create_account` printed. Exits non-zero, saying what
is wrong, at the first failed check.
"""

import base64
import json
import re
import sys
import urllib.error
import urllib.request

base, account = sys.argv[1].rstrip("/"), json.loads(sys.argv[2])
PROXIED = {"X-Forwarded-Proto": "https"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def fetch(path, headers=None, **kwargs):
    request = urllib.request.Request(base + path, headers={**PROXIED, **(headers or {})}, **kwargs)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def check(condition, message):
    if not condition:
        sys.exit(f"production smoke test: {message}")


# The sign-in page, with the security headers of DEBUG off.
status, headers, body = fetch("/signin/")
check(status == 200, f"/signin/ answered {status}")
expected = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
for name, value in expected.items():
    check(headers.get(name) == value, f"/signin/ sent {name}: {headers.get(name)!r}, not {value!r}")
cookies = headers.get_all("Set-Cookie") or []
csrf = [c for c in cookies if c.startswith("csrftoken=")]
check(csrf and "Secure" in csrf[0] and "HttpOnly" in csrf[0], f"CSRF cookie: {csrf}")
check(b"Traceback" not in body, "the page looks like a debug page")

# A static file, collected with a hashed name and served by WhiteNoise.
match = re.search(rb'href="(/static/css/console\.[0-9a-f]{12}\.css)"', body)
check(match, "/signin/ does not link the hashed console.css that collectstatic made")
status, headers, css = fetch(match.group(1).decode())
check(status == 200 and headers.get_content_type() == "text/css", f"console.css: {status}")
check("immutable" in headers.get("Cache-Control", ""), "console.css is not cached for good")
check(b"{" in css, "console.css is empty")

# Plain HTTP goes to HTTPS.
status, headers, _ = fetch("/signin/", headers={"X-Forwarded-Proto": "http"})
check(status == 301 and headers["Location"].startswith("https://"), f"HTTP answered {status}")

# The API, with the account's credentials: no cache keeps the answer.
token = base64.b64encode(f"{account['sid']}:{account['auth_token']}".encode()).decode()
api = {"Authorization": f"Basic {token}"}
status, headers, body = fetch(f"/2010-04-01/Accounts/{account['sid']}.json", headers=api)
check(status == 200 and json.loads(body)["sid"] == account["sid"], f"API fetch: {status}")
check("no-store" in headers.get("Cache-Control", ""), "the API answer can be cached")

# Error contracts: Twilio's body on the API, the console's own pages elsewhere.
status, headers, body = fetch(
    "/2010-04-01/Accounts.json?PageSize=1",
    headers={**api, "Content-Type": "text/plain; charset=hex"},
)
check(status == 400 and json.loads(body)["code"] == 21100, f"charset=hex on the API: {status}")
status, _, body = fetch("/signin/?next=/", headers={"Content-Type": "text/plain; charset=hex"})
check(status == 400 and b"brand-mark" in body, f"charset=hex on the console: {status}")
status, _, body = fetch("/no/such/page/")
check(status == 404 and b"Page not found" in body, f"a missing page: {status}")

print(f"production smoke test: {base} passed")
