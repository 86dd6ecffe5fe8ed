"""Sign in to a running console as the demo user that bin/run printed, like a person would,
then as the demo support user into the admin."""

import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request

base, log_path = sys.argv[1], sys.argv[2]
log = open(log_path, encoding="utf-8").read()
match = re.search(r"Sign in with email (\S+) and password (\S+)", log)
support = re.search(r"admin at /admin/: email (\S+) and password (\S+)", log)
if not match or not support:
    sys.exit("bin/run did not print the demo users' emails and passwords")


def sign_in(email, password, next_path=""):
    """Fill in the sign-in form (email, password) and follow where it leads."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = base + "/signin/" + (f"?next={urllib.parse.quote(next_path)}" if next_path else "")
    page = opener.open(url).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    fields = {"csrfmiddlewaretoken": token, "login": email, "password": password}
    if next_path:
        fields["next"] = next_path
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(fields).encode(), headers={"Referer": url}
    )
    response = opener.open(request)
    return response.geturl(), response.read().decode()


email, password = match.groups()
final, html = sign_in(email, password)
if "/console/AC" not in final or "Sign out" not in html:
    sys.exit(f"signing in as {email} did not reach an account's console page (ended at {final})")
print(f"Signed in as {email}; landed on {final}")

email, password = support.groups()
final, html = sign_in(email, password, "/admin/")
if not final.rstrip("/").endswith("/admin") or "Console support" not in html:
    sys.exit(f"signing in as {email} did not reach the admin (ended at {final})")
print(f"Signed in as {email}; landed on the admin at {final}")
