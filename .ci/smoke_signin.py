"""Sign in to a running console as the demo user that bin/run printed, like a person would."""

import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request

base, log_path = sys.argv[1], sys.argv[2]
log = open(log_path, encoding="utf-8").read()
match = re.search(r"email (\S+) and password (\S+)", log)
if not match:
    sys.exit("bin/run did not print the demo user's email and password")
email, password = match.groups()

jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = opener.open(base + "/signin/").read().decode()
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
body = urllib.parse.urlencode(
    {"csrfmiddlewaretoken": token, "username": email, "password": password}
).encode()
request = urllib.request.Request(
    base + "/signin/", data=body, headers={"Referer": base + "/signin/"}
)
response = opener.open(request)
final = response.geturl()
html = response.read().decode()
if "/console/AC" not in final or "Sign out" not in html:
    sys.exit(f"signing in as {email} did not reach an account's console page (ended at {final})")
print(f"Signed in as {email}; landed on {final}")
