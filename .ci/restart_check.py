"""Restart the database under load and check that every request failed cleanly, and that the
console recovered by itself:

    restart_check.py BASE_URL ACCOUNT_JSON RESTART_COMMAND…

While RESTART_COMMAND runs (e.g. pg_ctl restart), a few threads keep reading and writing
through the API with the account's credentials. Every answer must be a success or Twilio's 503
body (code 20503, with Retry-After), never a 500; once the database is back, requests succeed
again without restarting the server.
"""

import base64
import collections
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

base, account, command = sys.argv[1].rstrip("/"), json.loads(sys.argv[2]), sys.argv[3:]
token = base64.b64encode(f"{account['sid']}:{account['auth_token']}".encode()).decode()
HEADERS = {"Authorization": f"Basic {token}", "X-Forwarded-Proto": "https"}
THREADS = 4

outcomes = []  # (seconds since start, status, Twilio code or None, Retry-After)
lock = threading.Lock()
stop = threading.Event()
started = time.monotonic()


def request(n):
    if n % 3 == 0:  # a write: a subaccount, renamed back and forth
        data = f"FriendlyName=Restart+check+{n % 7}".encode()
        path = f"/2010-04-01/Accounts/{account['sid']}.json"
    else:
        data, path = None, f"/2010-04-01/Accounts/{account['sid']}/Balance.json"
    req = urllib.request.Request(base + path, data=data, headers=HEADERS)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, None, None
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            code = json.loads(body).get("code")
        except ValueError:
            code = None
        return error.code, code, error.headers.get("Retry-After")


def load():
    n = 0
    while not stop.is_set():
        n += 1
        try:
            outcome = request(n)
        except OSError as error:  # the server itself must stay up
            outcome = (f"connection error: {error}", None, None)
        with lock:
            outcomes.append((time.monotonic() - started, *outcome))


threads = [threading.Thread(target=load) for _ in range(THREADS)]
for thread in threads:
    thread.start()
time.sleep(1)
restart_began = time.monotonic() - started
subprocess.run(command, check=True)
restarted = time.monotonic() - started
time.sleep(3)
stop.set()
for thread in threads:
    thread.join()

statuses = collections.Counter(status for _, status, _, _ in outcomes)
print(
    f"restart check: {len(outcomes)} requests, {dict(statuses)}; restart took "
    f"{restarted - restart_began:.1f}s"
)
unclean = [o for o in outcomes if o[1] not in (200, 503)]
if unclean:
    sys.exit(f"restart check: answers other than 200 or a clean 503: {unclean[:5]}")
bad_503 = [o for o in outcomes if o[1] == 503 and (o[2] != 20503 or not o[3])]
if bad_503:
    sys.exit(f"restart check: 503s without Twilio's 20503 body and Retry-After: {bad_503[:5]}")
# Recovered: everything a second after the restart ended succeeded.
late = [o for o in outcomes if o[0] > restarted + 1]
failing = [o for o in late if o[1] != 200]
if not late or failing:
    sys.exit(f"restart check: not recovered after the restart: {failing[:5]}")
print("restart check: every failure was a clean 503, and the console recovered by itself")
