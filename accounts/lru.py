"""A bounded mapping of what a process remembers (rendered fragments, sessions' users): the
least recently used given up first when it holds more than `max_items`, or more than
`max_weight` by `weigh` of its values. Safe across threads (`runserver` serves each request
in its own)."""

import threading
from collections import OrderedDict


class LeastRecentlyUsed:
    def __init__(self, max_items, *, max_weight=None, weigh=None):
        self.max_items = max_items
        self.max_weight = max_weight
        self._weigh = weigh or (lambda value: 0)
        self._kept = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._kept.get(key)
            if value is not None:
                self._kept.move_to_end(key)
            return value

    def put(self, key, value):
        with self._lock:
            self._forget(key)
            self._kept[key] = value
            self._weight += self._weigh(value)
            while len(self._kept) > self.max_items or (
                self.max_weight is not None and self._weight > self.max_weight
            ):
                _, dropped = self._kept.popitem(last=False)
                self._weight -= self._weigh(dropped)

    def pop(self, key):
        with self._lock:
            self._forget(key)

    def clear(self):
        with self._lock:
            self._kept.clear()
            self._weight = 0

    def _forget(self, key):
        previous = self._kept.pop(key, None)
        if previous is not None:
            self._weight -= self._weigh(previous)
